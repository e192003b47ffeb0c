"""The compose file, the image and .env.example stay in step with the code an operator runs."""

import os
import re
import shutil
import subprocess
import sys
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
    (tmp_path / ".env").write_text(example_env(SECRET_KEY="k" * 50))

    result = subprocess.run(
        [*command, "config", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr


def compose_config(tmp_path, env_text: str) -> subprocess.CompletedProcess:
    command = compose_client()
    if command is None:
        pytest.skip("no compose client (.ci/run installs Debian's docker-compose)")
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(BASE_DIR / name, tmp_path / name)
    (tmp_path / ".env").write_text(env_text)
    # Only the .env file speaks: the test run's own SECRET_KEY must not fill the gap.
    clean = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    return subprocess.run(
        [*command, "config"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=clean
    )


def example_env(**overrides) -> str:
    text = (BASE_DIR / ".env.example").read_text()
    for name, value in overrides.items():
        text = re.sub(rf"^{name}=.*$", f"{name}={value}", text, flags=re.MULTILINE)
    return text


def test_compose_refuses_an_empty_secret_key_before_any_container_starts(tmp_path):
    result = compose_config(tmp_path, example_env(SECRET_KEY=""))

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_generated_password_reaches_the_database_settings_intact(tmp_path):
    password = "a+b/c=d@e:f%"
    result = compose_config(tmp_path, example_env(SECRET_KEY="k" * 50, POSTGRES_PASSWORD=password))
    assert result.returncode == 0, result.stderr
    web = yaml.safe_load(result.stdout)["services"]["web"]["environment"]

    settings = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.DATABASES['default']['PASSWORD'])",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "aidaily.settings",
            "DATABASE_URL": web["DATABASE_URL"],
            "DATABASE_PASSWORD": web["DATABASE_PASSWORD"],
            "SECRET_KEY": "k" * 50,
        },
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert settings.returncode == 0, settings.stderr
    assert settings.stdout.strip() == password
    assert password not in web["DATABASE_URL"]


def test_the_web_port_is_published_on_the_loopback_only():
    ports = compose()["services"]["web"]["ports"]

    assert ports and all(port.startswith("127.0.0.1:") for port in ports)


def test_the_image_holds_one_copy_of_the_code_and_no_web_probe_for_every_role():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()

    assert not re.search(r"pip install[^\n]*\s\.(\s|$)", dockerfile), "code installed twice"
    assert "PYTHONPATH=/app" in dockerfile
    assert not re.search(r"^HEALTHCHECK", dockerfile, re.MULTILINE)
    services = compose()["services"]
    for name in ("worker", "beat"):
        assert "8000" not in str(services[name]["healthcheck"]["test"]), name
