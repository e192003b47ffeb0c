"""Snapshot tasks: thin wrappers that take ids, call sources.services and own the retry policy."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def capture_snapshot(self, snapshot_id: int) -> None:
    """Capture one queued snapshot; transient failures retry with backoff for up to 24 hours."""
    try:
        services.capture(snapshot_id=snapshot_id)
    except services.RetryLater as exc:
        if self.request.is_eager:
            # In-process runs cannot wait: the row stays queued and the next trigger retries it.
            logger.info("capture %s left queued: %s", snapshot_id, exc)
            return
        raise self.retry(countdown=exc.delay, exc=exc) from exc


@shared_task(ignore_result=True)
def recapture_sources(scope: str = "unpublished") -> int:
    """Beat: queue captures of sources cited by unpublished (or published) issues."""
    return services.recapture(scope=scope)


@shared_task(ignore_result=True)
def sweep_stuck_snapshots() -> int:
    """Beat: fail captures whose worker died, and re-queue captures whose task was lost."""
    return services.sweep_stuck()
