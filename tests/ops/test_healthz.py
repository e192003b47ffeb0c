"""/healthz tells an operator (or a load balancer) at a glance which service is down."""

import logging
import socket

import pytest
from django.db import OperationalError

from aidaily.celery import app as celery_app


def closed_port() -> int:
    """A local port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def real_broker_mode():
    """Health checks a broker only when tasks do not run in-process."""
    celery_app.conf.task_always_eager = False  # restored by the autouse tasks_in_process fixture


@pytest.mark.django_db
def test_healthz_reports_every_service_ok_on_the_embedded_default(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "in-process"},
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: password=hunter2")

    monkeypatch.setattr("aidaily.health.connection.cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "error: OperationalError"
    assert body["checks"]["cache"] == "ok"
    assert "hunter2" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_server_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("error: ")
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_refuses_connections(client, settings, real_broker_mode):
    settings.CELERY_BROKER_URL = f"redis://:s3cret-broker-pw@127.0.0.1:{closed_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error: OperationalError"
    assert "s3cret-broker-pw" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_does_not_echo_injected_markup_from_the_request(client):
    response = client.get("/healthz", {"q": "<script>alert(1)</script>"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert b"<script>" not in response.content


@pytest.mark.services
@pytest.mark.django_db
def test_healthz_reports_the_real_redis_broker_ok(client, settings, redis_broker, real_broker_mode):
    settings.CELERY_BROKER_URL = redis_broker

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_a_container_probe_by_address_over_http_gets_the_health_report(client, settings, caplog):
    settings.ALLOWED_HOSTS = ["daily.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    caplog.set_level(logging.INFO, logger="aidaily.request")

    probe = client.get("/healthz", HTTP_HOST="172.18.0.5:8000")
    page = client.get("/robots.txt", HTTP_HOST="172.18.0.5:8000")

    assert probe.status_code == 200
    assert probe.json()["status"] == "ok"
    assert page.status_code == 400  # everything else still refuses an unknown host
    assert "/healthz" not in caplog.text  # probes every 15 s would drown the request log
