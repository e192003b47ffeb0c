"""What a failed attempt does to its row: queued again after a backoff, or failed for good."""

import logging
import random
from datetime import timedelta

from django.utils import timezone

from .. import fetcher
from ..models import Snapshot

logger = logging.getLogger(__name__)

RETRY_WINDOW = timedelta(hours=24)  # past this the page may no longer be what the analyst cited
RETRY_BASE_SECONDS = 60
# Below the Redis broker's visibility timeout (1 h), past which a waiting task is redelivered.
RETRY_MAX_SECONDS = 50 * 60
BUSY_RETRY_SECONDS = 30


class RetryLater(Exception):
    """The capture hit a transient failure; try again after `delay` seconds."""

    def __init__(self, delay: float, message: str = ""):
        super().__init__(message or f"retry in {delay:.0f}s")
        self.delay = delay


class LostClaim(Exception):
    """The capture is no longer this worker's (the sweeper's verdict, or another worker's
    claim after this one outlived its lease): leave it alone."""


def fail_on_our_error(snapshot: Snapshot, step: str, exc: Exception, *, kind: str) -> bool:
    """Our own bug or a full disk must not leave the row running until the sweeper: fail it
    at once with the reason."""
    logger.exception("capture %s: %s failed", snapshot.pk, step)
    record_failure(snapshot, fetcher.PermanentFetchError(f"{step} failed: {exc!r}", kind=kind))
    return False


def _retry_delay(snapshot: Snapshot, exc: fetcher.FetchError) -> float:
    """Seconds until the next attempt: Retry-After when given, else backoff with jitter."""
    if exc.retry_after is not None:
        return exc.retry_after
    ceiling = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, snapshot.attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not security)


def record_failure(snapshot: Snapshot, exc: fetcher.FetchError) -> None:
    """Back to queued with a retry time (raises RetryLater), or failed for good.

    Only while the row is still running under this worker's claim: when the sweeper gave up on
    it, or another worker took it over after this one outlived its lease, theirs stands and
    LostClaim is raised instead.
    """
    now = timezone.now()
    fields = {"error": exc.message[:2000], "error_kind": exc.kind, "http_status": exc.http_status}
    if exc.chain:
        fields["redirect_chain"] = exc.chain[:-1]
        fields["final_url"] = exc.chain[-1]["url"][:2000]
    ours = Snapshot.objects.filter(
        pk=snapshot.pk, status=Snapshot.Status.RUNNING, started_at=snapshot.started_at
    )
    if exc.transient:
        delay = _retry_delay(snapshot, exc)
        if now + timedelta(seconds=delay) < snapshot.queued_at + RETRY_WINDOW:
            retry_at = now + timedelta(seconds=delay)
            recorded = ours.update(status=Snapshot.Status.QUEUED, retry_at=retry_at, **fields)
            _refresh_or_lose(snapshot, recorded)
            # A longer wait is served in steps: an early wake-up finds retry_at and sleeps on.
            raise RetryLater(min(delay, RETRY_MAX_SECONDS), exc.message)
        fields["error"] = f"gave up after 24 hours of retries: {exc.message}"[:2000]
    recorded = ours.update(status=Snapshot.Status.FAILED, finished_at=now, **fields)
    _refresh_or_lose(snapshot, recorded)


def _refresh_or_lose(snapshot: Snapshot, recorded: int) -> None:
    snapshot.refresh_from_db()
    if not recorded:
        raise LostClaim
