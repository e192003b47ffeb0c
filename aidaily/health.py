"""/healthz: is each service this process depends on answering?

A load balancer or `docker compose` polls it: 200 with every check "ok", 503 as soon as one is
down. The body names the failing service and the exception class only, never its message, since
connection errors can carry host names and user names.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

# A probe must answer well inside the orchestrator's own timeout (compose uses 5 s).
BROKER_TIMEOUT = 2.0
IN_PROCESS = "in-process"


def _failure(exc: Exception) -> str:
    return f"error: {exc.__class__.__name__}"


def check_database() -> str:
    """ "ok" when the default database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failure(exc)
    return "ok"


def check_cache() -> str:
    """ "ok" when a value written to the cache reads back."""
    try:
        cache.set("healthz", "1", 5)
        return "ok" if cache.get("healthz") == "1" else "error: no round trip"
    except Exception as exc:
        return _failure(exc)


def broker_is_real() -> bool:
    """True when tasks go through a real broker rather than running in-process."""
    from aidaily.celery import app

    url = settings.CELERY_BROKER_URL or ""
    return not app.conf.task_always_eager and not url.startswith("memory://")


def check_broker() -> str:
    """ "ok" when the Celery broker accepts a connection; "in-process" when there is none."""
    if not broker_is_real():
        return IN_PROCESS
    try:
        # One attempt, short timeouts: a health probe must not hang on kombu's retry loop.
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
    except Exception as exc:
        return _failure(exc)
    return "ok"


HEALTHZ_PATH = "/healthz"


@never_cache
def healthz(request):
    """The state of the database, the cache and the broker as JSON; 503 when one is down."""
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    healthy = all(value in ("ok", IN_PROCESS) for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


class HealthzMiddleware:
    """Answers /healthz before host validation, HTTPS redirects and request logging.

    Probes (compose, a load balancer) call the container by its address over plain HTTP, which
    ALLOWED_HOSTS and SECURE_SSL_REDIRECT would refuse, and every 15 seconds, which would drown
    the request log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTHZ_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
