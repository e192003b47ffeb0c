"""Deploy checks (`manage.py check --deploy`) for the traps a production machine can fall into."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_tasks_run_in_requests(app_configs, **kwargs):
    """Embedded on purpose is allowed; say plainly what it costs."""
    if settings.DEBUG or not settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    return [
        Warning(
            "AIDAILY_EMBEDDED=1 and no CELERY_BROKER_URL: every task runs inside the web request "
            "that queues it (a whole digest send inside the publish click), and a task's error is "
            "only logged, never retried.",
            hint="Set CELERY_BROKER_URL=redis://HOST:6379/0 and run `celery -A aidaily worker`; "
            "keep AIDAILY_EMBEDDED=1 only for a single-machine newsroom.",
            id="aidaily.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_snapshot_origin(app_configs, **kwargs):
    """Archived pages are third-party HTML: without their own origin they share the admin's."""
    if settings.SNAPSHOT_ORIGIN:
        return []
    return [
        Warning(
            "SNAPSHOT_ORIGIN is not set: archived copies of cited pages are served from the "
            "admin's own origin. Browsers without CSP sandbox support would run their scripts "
            "with access to the editors' session.",
            hint="Serve /snapshots/ from a separate origin, e.g. "
            "SNAPSHOT_ORIGIN=https://snapshots.daily.example.com (a host pointing at this site, "
            "listed in ALLOWED_HOSTS).",
            id="aidaily.W002",
        )
    ]
