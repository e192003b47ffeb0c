"""The compose file, the image and .env.example stay in step with the code an operator runs."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
SETTING_READ = re.compile(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"')
SETTING_TESTED = re.compile(r'"([A-Z0-9_]+)" (?:not )?in env')


def settings_read_from_the_environment() -> set[str]:
    source = (BASE_DIR / "aidaily" / "settings.py").read_text()
    return set(SETTING_READ.findall(source)) | set(SETTING_TESTED.findall(source))


def documented_settings() -> set[str]:
    text = (BASE_DIR / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_env_example_documents_every_setting_read_by_settings():
    missing = settings_read_from_the_environment() - documented_settings()

    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_compose_runs_every_part_of_the_system_with_a_health_check():
    services = compose()["services"]

    assert {"postgres", "redis", "web", "worker", "beat", "mailpit"} <= set(services)
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_every_compose_image_and_the_base_image_are_pinned():
    for name, service in compose()["services"].items():
        image = service["image"]
        if "build" in service:
            continue  # our own image, built from the Dockerfile
        repository, _, tag = image.rpartition(":")
        assert repository and re.search(r"\d", tag) and tag != "latest", f"{name}: {image}"
    base = re.search(r"^FROM (\S+)", (BASE_DIR / "Dockerfile").read_text(), re.MULTILINE)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base.group(1))


def test_database_and_media_live_in_named_volumes():
    spec = compose()

    assert {"pgdata", "media"} <= set(spec["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in spec["services"]["postgres"]["volumes"]
    for name in ("web", "worker"):
        assert "media:/data/media" in spec["services"][name]["volumes"]


def test_the_image_runs_as_a_non_root_user_and_keeps_secrets_out():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    ignored = (BASE_DIR / ".dockerignore").read_text().splitlines()

    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)
    assert "collectstatic" in dockerfile
    assert ".env" in ignored and ".git" in ignored and "var" in ignored


def test_the_worker_consumes_every_queue_the_tasks_are_routed_to(settings):
    command = " ".join(compose()["services"]["worker"]["command"])
    queues = set(re.search(r"--queues=(\S+)", command).group(1).split(","))

    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {settings.CELERY_TASK_DEFAULT_QUEUE} <= queues


def compose_client() -> list[str] | None:
    """`docker-compose`, or `docker compose` when the docker client has the compose plugin."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if plugin.returncode == 0:
            return ["docker", "compose"]
    return None


def test_compose_file_validates_with_the_example_env(tmp_path):
    command = compose_client()
    if command is None:
        pytest.skip("no compose client (.ci/run installs Debian's docker-compose)")
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(BASE_DIR / name, tmp_path / name)
    shutil.copy(BASE_DIR / ".env.example", tmp_path / ".env")

    result = subprocess.run(
        [*command, "config", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
