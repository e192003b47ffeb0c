"""Snapshot tasks: thin wrappers that take ids, call sources.pipeline (running captures) or
sources.services (what to capture), and own the retry policy."""

import logging

from celery import shared_task

from . import pipeline, services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def capture_snapshot(self, snapshot_id: int) -> None:
    """Capture one queued snapshot and extract its text; transient failures retry with backoff
    for up to 24 hours."""
    try:
        pipeline.capture(snapshot_id=snapshot_id)
    except pipeline.RetryLater as exc:
        if self.request.is_eager:
            # In-process runs cannot wait: the row stays queued and the next trigger retries it.
            logger.info("capture %s left queued: %s", snapshot_id, exc)
            return
        raise self.retry(countdown=exc.delay, exc=exc) from exc


@shared_task(acks_late=True, ignore_result=True)
def capture_snapshots(snapshot_ids: list[int]) -> None:
    """Capture a batch; their extraction follows as its own task, retries one capture each."""
    outcomes = pipeline.capture_many(snapshot_ids)
    # Only what this task captured: another task's captures are extracted by that task.
    captured = [o.snapshot.pk for o in outcomes if o.claimed and o.snapshot.status == "captured"]
    if captured:
        extract_snapshots.delay(captured)
    for outcome in outcomes:
        if outcome.retry is None:
            continue
        if capture_snapshots.request.is_eager:
            logger.info("capture %s left queued: %s", outcome.snapshot.pk, outcome.retry)
            continue
        capture_snapshot.apply_async((outcome.snapshot.pk,), countdown=outcome.retry.delay)


@shared_task(acks_late=True, ignore_result=True)
def extract_snapshots(snapshot_ids: list[int]) -> None:
    """Extract the text of captured snapshots and detect changed sources."""
    pipeline.extract_many(snapshot_ids)


@shared_task(ignore_result=True)
def recapture_sources(scope: str = "unpublished") -> int:
    """Beat: queue captures of sources cited by unpublished (or published) issues."""
    return services.recapture(scope=scope)


@shared_task(ignore_result=True)
def sweep_stuck_snapshots() -> int:
    """Beat: fail captures whose worker died, and re-queue captures whose task was lost."""
    return services.sweep_stuck()
