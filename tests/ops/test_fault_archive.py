"""The public archive keeps answering with PostgreSQL stopped: its pages are files.

Stops the PostgreSQL cluster that holds the test database (found by its port) for the few
requests below and always starts it again in a `finally`. Run with `pytest -m faults`.
"""

import subprocess

import pytest
from django.db import connection
from django.test import Client

from events.models import Issue
from events.signals import issue_published

from ..conftest import wait_for
from ..events.public.sample import build_sample_issue
from .test_faults import fault_tools  # noqa: F401 - the fixture: root and the service tools

pytestmark = [
    pytest.mark.faults,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]

PAGES = ["/", "/issues/", "/issues/2026-04-08/", "/feed/", "/feed/rss/", "/sitemap.xml"]


def cluster_of_the_test_database() -> list[str]:
    """`pg_ctlcluster VERSION NAME` of the cluster listening on the test database's port."""
    port = str(connection.settings_dict["PORT"] or 5432)
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    for line in listing.stdout.splitlines():
        version, name, cluster_port, *_rest = line.split()
        if cluster_port == port:
            return ["pg_ctlcluster", "--skip-systemctl-redirect", version, name]
    pytest.skip(f"no local cluster listens on port {port}")


def ready() -> bool:
    port = str(connection.settings_dict["PORT"] or 5432)
    command = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", port]
    return subprocess.run(command, check=False).returncode == 0


@pytest.fixture
def stopped_database(fault_tools, postgres):  # noqa: F811
    cluster = cluster_of_the_test_database()
    connection.close()
    try:
        subprocess.run([*cluster, "stop", "-m", "fast"], check=True, timeout=60)
        wait_for(lambda: not ready(), timeout=30, message="PostgreSQL stopped")
        yield
    finally:
        subprocess.run([*cluster, "start"], check=False, timeout=60)
        wait_for(ready, timeout=60, message="PostgreSQL back")
        connection.close()


@pytest.fixture
def baked(settings, tmp_path, postgres):
    settings.STATIC_PAGES_ROOT = str(tmp_path / "pages")
    issue_published.send(sender=Issue, issue=build_sample_issue())
    return {path: Client().get(path).content for path in PAGES}


def test_the_archive_answers_with_postgresql_stopped(baked, stopped_database):
    reader = Client(raise_request_exception=False)
    for path in PAGES:
        response = reader.get(path)
        assert response.status_code == 200, path
        assert response.content == baked[path], path
    english = reader.get("/issues/2026-04-08/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and english["Content-Language"] == "en"
    # What needs the database really is down: search cannot answer.
    assert reader.get("/search/", {"q": "TPU"}).status_code == 500
