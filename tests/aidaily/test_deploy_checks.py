"""Production traps: no broker (tasks inside requests), no SNAPSHOT_ORIGIN (a shared origin)."""

import shutil
import subprocess
import sys
from pathlib import Path

from .test_settings import BASE_DIR, PRODUCTION_ENV, manage

NO_BROKER = {k: v for k, v in PRODUCTION_ENV.items() if k != "CELERY_BROKER_URL"}


def test_production_refuses_to_start_without_a_broker_and_says_what_to_set():
    result = manage("check", env=NO_BROKER)

    assert result.returncode != 0
    assert "CELERY_BROKER_URL is not set and DEBUG is off" in result.stderr
    assert "CELERY_BROKER_URL=redis://" in result.stderr
    assert "AIDAILY_EMBEDDED=1" in result.stderr


def test_the_web_server_refuses_to_load_without_a_broker():
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(BASE_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", "import aidaily.wsgi"],
        cwd=BASE_DIR,
        env={**clean, **NO_BROKER},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "CELERY_BROKER_URL is not set" in result.stderr


def test_a_bare_machine_without_debug_refuses_too(tmp_path):
    """The SQLite default is no excuse: a bare gunicorn would publish inside the click as well."""
    result = manage("check", env={"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})

    assert result.returncode != 0
    assert "AIDAILY_EMBEDDED=1" in result.stderr


def test_development_runs_tasks_in_process_without_a_broker(tmp_path):
    result = manage("check", env={"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})

    assert result.returncode == 0, result.stderr


def test_embedded_on_purpose_starts_and_the_deploy_check_says_what_it_costs():
    result = manage("check", "--deploy", env={**NO_BROKER, "AIDAILY_EMBEDDED": "1"})

    assert result.returncode == 0, result.stderr
    assert "aidaily.W001" in result.stderr
    assert "inside the web request" in result.stderr
    assert "CELERY_BROKER_URL=redis://" in result.stderr


def test_the_deploy_check_warns_when_archived_pages_share_the_admin_origin():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SNAPSHOT_ORIGIN"}

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "aidaily.W002" in result.stderr
    assert "SNAPSHOT_ORIGIN=https://" in result.stderr
    assert "aidaily.W001" not in result.stderr  # a broker is set


def test_a_worker_refuses_to_start_without_a_broker(tmp_path):
    """Embedded on purpose runs tasks in the web process; a worker would wait on nothing."""
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(BASE_DIR),
        **NO_BROKER,
        "AIDAILY_EMBEDDED": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    result = subprocess.run(
        [celery, "-A", "aidaily", "worker", "--pool=solo", "--loglevel=INFO"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "CELERY_BROKER_URL" in result.stdout + result.stderr
