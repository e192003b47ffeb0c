"""Settings come from the environment; a production-like one passes Django's deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "daily.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/aidaily",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",  # one rate-limit count for every process
    "SITE_URL": "https://daily.example.com",
    "SNAPSHOT_ORIGIN": "https://snapshots.daily.example.com",
    "SECURE_SSL_REDIRECT": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def manage(*args, env):
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(BASE_DIR))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_in_a_production_like_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_an_explicit_sqlite_database_runs_embedded_without_a_secret_key(tmp_path):
    """A scratch SQLite database (as tools and hooks use) needs no production settings."""
    result = manage(
        "makemigrations",
        "--check",
        "--dry-run",
        env={"DATABASE_URL": f"sqlite:///{tmp_path}/scratch.sqlite3", "AIDAILY_EMBEDDED": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_site_hashes_passwords_with_pbkdf2_though_the_suite_uses_a_fast_hasher():
    # tests/settings.py swaps in MD5 to save a third of a second a user; the site must not.
    shown = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    run = manage("shell", "-c", shown, env=PRODUCTION_ENV)

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
