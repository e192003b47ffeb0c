"""Shared fixtures: roles, logged-in clients, and the real services (PostgreSQL, Redis, a worker).

Tests marked `services` need PostgreSQL and/or Redis for real. Without them they are skipped on a
bare machine; with REQUIRE_SERVICES=1 (CI) a missing service fails the test instead.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from aidaily.celery import app as celery_app

from .dnsguard import Guard
from .factories import AnalystFactory, ChiefEditorFactory
from .smtp import smtp_server  # noqa: F401 - the SMTP server fixture, for every test folder

# The Chromium fixture, for every test folder (a plugin: it needs missing_service from here).
pytest_plugins = ["tests.browser"]

BASE_DIR = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def missing_service(reason: str):
    """Fail when CI promised the services, skip on a bare machine."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


SERVICE_FIXTURES = {"postgres", "redis_broker", "celery_worker", "workers"}


def pytest_collection_modifyitems(items):
    """A test that asks for a real service is marked `services`, whether or not it says so, so
    `-m services` and `-m "not services"` select exactly the tests that need them."""
    for item in items:
        if SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.services)


@pytest.fixture
def postgres():
    """Skip (or fail, in CI) unless the tests run on PostgreSQL."""
    if connection.vendor != "postgresql":
        missing_service("the database is not PostgreSQL (set DATABASE_URL)")


def redis_broker_url() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else None


@pytest.fixture
def redis_broker():
    url = redis_broker_url()
    if not url:
        missing_service("CELERY_BROKER_URL does not name a Redis server")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at {url} does not answer: {exc}")
    return url


@pytest.fixture(autouse=True)
def no_outside_dns(monkeypatch):
    """Fail any test that asks the resolver for a name outside the machine (tests/dnsguard.py)."""
    from sources import fetcher

    guard = Guard()
    guard.install(monkeypatch, modules=[fetcher])
    yield guard
    if failure := guard.failure():
        pytest.fail(failure, pytrace=False)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language: a request with an English cookie leaves
    English active in the thread (LocaleMiddleware does not switch back), and text a later test
    builds outside a request, such as a task's log line, would come out in English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def tasks_in_process(request):
    """Unit tests run tasks in-process; tests using `celery_worker` switch to the real broker."""
    eager = "celery_worker" not in request.fixturenames
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = eager
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True, scope="session")
def static_root():
    """Where collectstatic has not run (CI on PostgreSQL), WhiteNoise warned on every request
    that STATIC_ROOT is missing: hundreds of warnings hiding any real one."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def mail_root(tmp_path, settings):
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")


@pytest.fixture
def celery_worker(postgres, redis_broker, transactional_db, media_root, tmp_path):
    """A real `celery -A aidaily worker` process on Redis, sharing the test database and media.

    Use with `@pytest.mark.django_db(transaction=True)`: the worker sees committed rows only.
    """
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    import redis

    redis.Redis.from_url(redis_broker).flushdb()  # no tasks left over from an earlier run
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_broker,
        "MEDIA_ROOT": media_root,
        "SNAPSHOT_ALLOW_PRIVATE_ADDRESSES": "1",
        "SECRET_KEY": settings.SECRET_KEY,
        "EMAIL_URL": os.environ.get("TEST_WORKER_EMAIL_URL", "dummymail://"),
    }
    env.update(getattr(celery_worker_env, "extra", {}))
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                celery,
                "-A",
                "aidaily",
                "worker",
                "--pool=threads",
                "--concurrency=4",
                "-Q",
                "default,snapshots,mail",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "-n",
                f"test-{os.getpid()}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while b"ready." not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the Celery worker did not start:\n{log_path.read_text()}")
        time.sleep(0.2)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class celery_worker_env:
    extra: dict = {}


def wait_for(predicate, *, timeout=60.0, interval=0.2, message="condition"):
    """Poll until predicate() is truthy (for end-to-end tests against a real worker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


@pytest.fixture
def analyst(db):
    return AnalystFactory(username="analyst")


@pytest.fixture
def editor(db):
    return ChiefEditorFactory(username="editor")


@pytest.fixture
def second_editor(db):
    return ChiefEditorFactory(username="editor2")


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
