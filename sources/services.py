"""Capturing sources: queueing, claiming, fetching, storing, extracting and change detection.

A capture is a Snapshot row that moves queued → running → succeeded | failed. A worker claims a
row with a compare-and-set update (and the database allows one running capture per source), does
the network and file work outside any transaction, and finishes the row in one atomic update:
until then no succeeded snapshot points at half-written files. Transient failures go back to
queued with a retry time, for up to 24 hours after the capture was asked for.
"""

import logging
import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import capture as archive
from . import extraction, fetcher
from .models import Snapshot, Source
from .signals import source_changed

logger = logging.getLogger(__name__)

RETRY_WINDOW = timedelta(hours=24)  # past this the page may no longer be what the analyst cited
RETRY_BASE_SECONDS = 60
# Below the Redis broker's visibility timeout (1 h), past which a waiting task is redelivered.
RETRY_MAX_SECONDS = 50 * 60
EARLY_SLACK = timedelta(seconds=5)
BUSY_RETRY_SECONDS = 30
SCOPES = {
    "unpublished": ("draft", "in_review", "approved", "scheduled"),
    "published": ("published",),
}
SCOPE_MAX_AGE = {"unpublished": timedelta(hours=3), "published": timedelta(hours=20)}
DISPATCH_LIMIT = 500


class RetryLater(Exception):
    """The capture hit a transient failure; try again after `delay` seconds."""

    def __init__(self, delay: float, message: str = ""):
        super().__init__(message or f"retry in {delay:.0f}s")
        self.delay = delay


@dataclass
class Captured:
    """What one attempt did, for tasks and commands to report."""

    snapshot: Snapshot
    claimed: bool


def lease() -> timedelta:
    """How long a worker may hold a capture before the sweeper calls it stuck."""
    return timedelta(seconds=settings.SNAPSHOT_TIMEOUT * 4 + 300)


def _queue_task(snapshot_id: int) -> None:
    from .tasks import capture_snapshot

    capture_snapshot.delay_on_commit(snapshot_id)


def request_capture(*, source: Source) -> Snapshot:
    """Queue a capture of the source (after commit), or return the one already waiting."""
    with transaction.atomic():
        Source.objects.select_for_update().get(pk=source.pk)  # one pending capture per source
        snapshot = source.snapshots.active().order_by("-pk").first()
        if snapshot is None:
            snapshot = Snapshot.objects.create(source=source)
    if snapshot.status == Snapshot.Status.QUEUED:
        # Queued again even if a task exists: the claim lets only one run, and a lost task
        # (a flushed broker, an in-process run that could not retry) is replaced. A person
        # asking now overrides the backoff.
        Snapshot.objects.filter(pk=snapshot.pk, status="queued").update(retry_at=None)
        _queue_task(snapshot.pk)
    return snapshot


def queue_first_capture(*, source_id: int) -> None:
    """After commit: capture a newly cited source unless it already has any snapshot."""

    def check():
        if not Snapshot.objects.filter(source_id=source_id).exists():
            request_capture(source=Source.objects.get(pk=source_id))

    transaction.on_commit(check)


def request_issue_captures(*, issue) -> list[Snapshot]:
    """Queue a capture of every source the issue cites."""
    return [request_capture(source=s) for s in Source.objects.cited_by_issue(issue)]


def sources_due(*, scope: str, now=None):
    """Sources cited by issues in the scope, not captured recently and with nothing pending."""
    now = now or timezone.now()
    return (
        Source.objects.cited_by_status(SCOPES[scope])
        .not_captured_since(now - SCOPE_MAX_AGE[scope])
        .without_active_capture()
        .order_by("pk")
    )


def recapture(*, scope: str, limit: int = DISPATCH_LIMIT) -> int:
    """Queue captures for up to `limit` sources due in the scope; returns how many."""
    sources = list(sources_due(scope=scope)[:limit])
    for source in sources:
        request_capture(source=source)
    return len(sources)


#: A page that kills its worker this many times in a day is not retried by the sweeper again.
MAX_INTERRUPTED_PER_DAY = 3
INTERRUPTED = "interrupted: the worker stopped before finishing (swept)"


def sweep_stuck() -> int:
    """Fail captures left running by a worker that died and capture their sources again;
    re-queue lost ones; returns how many rows it acted on.

    Redis hands an unacknowledged task back only after its visibility timeout (an hour), long
    after the lease: without a fresh capture the gate would block the issue until then.
    """
    now = timezone.now()
    stuck = list(Snapshot.objects.stuck(lease()).values_list("pk", "source_id"))
    failed = Snapshot.objects.filter(
        pk__in=[pk for pk, _ in stuck], status=Snapshot.Status.RUNNING
    ).update(status=Snapshot.Status.FAILED, finished_at=now, error=INTERRUPTED)
    for source_id in sorted({source_id for _, source_id in stuck}):
        interrupted = Snapshot.objects.filter(
            source_id=source_id, error=INTERRUPTED, finished_at__gte=now - timedelta(days=1)
        ).count()
        if interrupted < MAX_INTERRUPTED_PER_DAY:
            request_capture(source=Source.objects.get(pk=source_id))
    overdue = now - timedelta(minutes=15)
    lost = list(
        Snapshot.objects.filter(status=Snapshot.Status.QUEUED, queued_at__lt=overdue)
        .exclude(retry_at__gte=overdue)
        .values_list("pk", flat=True)[:DISPATCH_LIMIT]
    )
    for snapshot_id in lost:
        _queue_task(snapshot_id)
    return failed + len(lost)


@contextmanager
def _bookkeeping():
    """A transaction for capture bookkeeping that does not wait for the disk on PostgreSQL.

    Losing the last claims or finishes in a database crash is harmless: the files are written
    before the row points at them, and a row left queued or running is retried or swept. Not
    waiting for the WAL flush is what lets a worker keep up with the network.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _claim(snapshot_id: int) -> Snapshot | None:
    """Move a queued (or abandoned running) capture to running; None when not ours to run."""
    now = timezone.now()
    due = Q(retry_at__isnull=True) | Q(retry_at__lte=now + EARLY_SLACK)
    claimable = Snapshot.objects.filter(due, pk=snapshot_id, status=Snapshot.Status.QUEUED) | (
        Snapshot.objects.filter(pk=snapshot_id, status="running", started_at__lt=now - lease())
    )
    try:
        with _bookkeeping():
            claimed = claimable.update(
                status=Snapshot.Status.RUNNING,
                started_at=now,
                attempts=F("attempts") + 1,
                retry_at=None,
            )
    except IntegrityError:  # another worker is capturing this source right now
        return None
    if not claimed:
        return None
    return Snapshot.objects.select_related("source").get(pk=snapshot_id)


def source_is_busy(snapshot_id: int) -> bool:
    """Whether another capture of the same source holds the running slot."""
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    return (
        snapshot.status == Snapshot.Status.QUEUED
        and Snapshot.objects.filter(source_id=snapshot.source_id, status="running")
        .exclude(pk=snapshot_id)
        .exists()
    )


def capture(*, snapshot_id: int, policy: fetcher.Policy | None = None, extract: bool = True):
    """Run one attempt of a queued capture. Raises RetryLater on a transient failure."""
    snapshot = _claim(snapshot_id)
    if snapshot is None:
        if source_is_busy(snapshot_id):
            raise RetryLater(BUSY_RETRY_SECONDS, "another capture of this source is running")
        current = Snapshot.objects.get(pk=snapshot_id)
        if current.status == Snapshot.Status.QUEUED and current.retry_at:
            # Delivered early (a redelivered task): wait out the backoff or the Retry-After.
            wait = (current.retry_at - timezone.now()).total_seconds()
            raise RetryLater(max(wait, 1.0), "not due yet")
        return Captured(current, claimed=False)
    try:
        result = fetcher.fetch(snapshot.source.url, policy or fetcher.Policy.from_settings())
    except fetcher.FetchError as exc:
        return Captured(_record_failure(snapshot, exc), claimed=True)
    except Exception as exc:
        # A bug must not leave the row running until the sweeper: fail it with the reason.
        logger.exception("capture %s failed unexpectedly", snapshot.pk)
        failure = fetcher.PermanentFetchError(f"internal error while fetching: {exc!r}")
        return Captured(_record_failure(snapshot, failure), claimed=True)
    try:
        snapshot = store(snapshot, result, extract=extract)
    except Exception as exc:
        # Our own bug or a full disk: fail the row with the reason instead of leaving it running.
        logger.exception("storing capture %s failed", snapshot.pk)
        failure = fetcher.PermanentFetchError(f"storing the capture failed: {exc}")
        return Captured(_record_failure(snapshot, failure), claimed=True)
    finally:
        result.close()
    return Captured(snapshot, claimed=True)


def _retry_delay(snapshot: Snapshot, exc: fetcher.FetchError) -> float:
    """Seconds until the next attempt: Retry-After when given, else backoff with jitter."""
    if exc.retry_after is not None:
        return exc.retry_after
    ceiling = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, snapshot.attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not security)


def _record_failure(snapshot: Snapshot, exc: fetcher.FetchError) -> Snapshot:
    now = timezone.now()
    fields = {"error": exc.message[:2000], "http_status": exc.http_status}
    if exc.chain:
        fields["redirect_chain"] = exc.chain[:-1]
        fields["final_url"] = exc.chain[-1]["url"][:2000]
    if exc.transient:
        delay = _retry_delay(snapshot, exc)
        if now + timedelta(seconds=delay) < snapshot.queued_at + RETRY_WINDOW:
            retry_at = now + timedelta(seconds=delay)
            Snapshot.objects.filter(pk=snapshot.pk, status="running").update(
                status=Snapshot.Status.QUEUED, retry_at=retry_at, **fields
            )
            # A longer wait is served in steps: an early wake-up finds retry_at and sleeps on.
            raise RetryLater(min(delay, RETRY_MAX_SECONDS), exc.message)
        fields["error"] = f"gave up after 24 hours of retries: {exc.message}"[:2000]
    Snapshot.objects.filter(pk=snapshot.pk, status="running").update(
        status=Snapshot.Status.FAILED, finished_at=now, **fields
    )
    snapshot.refresh_from_db()
    return snapshot


def _previous(snapshot: Snapshot) -> Snapshot | None:
    return (
        Snapshot.objects.succeeded()
        .filter(source_id=snapshot.source_id)
        .exclude(pk=snapshot.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )


def store(snapshot: Snapshot, result: fetcher.FetchResult, *, extract: bool = True) -> Snapshot:
    """Store a fetched page as the snapshot's files and finish its row as succeeded."""
    final = result.final
    previous = _previous(snapshot)
    snapshot.http_status = final.status
    snapshot.final_url = final.url[:2000]
    snapshot.redirect_chain = result.redirect_chain
    snapshot.response_headers = dict(final.headers)
    snapshot.ip_address = final.ip or None
    snapshot.content_type = final.header("Content-Type")[:200]
    snapshot.size = final.size
    snapshot.sha256 = final.sha256
    snapshot.truncated = bool(final.truncated)
    same_bytes = previous is not None and previous.sha256 == final.sha256 and previous.warc_file
    if same_bytes:
        # The page did not change: record the check, keep pointing at the files we have.
        original = previous.duplicate_of or previous
        snapshot.duplicate_of = original
        for name in ("warc_file", "text_file", "text_sha256", "charset", "charset_source"):
            setattr(snapshot, name, getattr(original, name))
        for name in ("page_title", "page_date", "language"):
            setattr(snapshot, name, getattr(original, name))
    else:
        archive.save_warc(snapshot, result)
        if extract:
            apply_extraction(snapshot, final)
    return _finish(snapshot, previous)


def apply_extraction(snapshot: Snapshot, exchange: fetcher.Exchange) -> None:
    """Extract text, title, date, language and charset into the snapshot (not saved)."""
    found = extraction.extract(
        exchange.decoded_body(), content_type=snapshot.content_type, url=exchange.url
    )
    archive.save_text(snapshot, found.text)
    snapshot.text_sha256 = found.text_sha256
    snapshot.charset = found.charset[:40]
    snapshot.charset_source = found.charset_source[:40]
    snapshot.page_title = found.title[:500]
    snapshot.page_date = found.published
    snapshot.language = found.language[:16]


FINISHED_FIELDS = [
    "http_status",
    "final_url",
    "redirect_chain",
    "response_headers",
    "ip_address",
    "content_type",
    "size",
    "sha256",
    "truncated",
    "duplicate_of",
    "warc_file",
    "text_file",
    "text_sha256",
    "charset",
    "charset_source",
    "page_title",
    "page_date",
    "language",
]


def _finish(snapshot: Snapshot, previous: Snapshot | None) -> Snapshot:
    now = timezone.now()
    changed = bool(
        previous is not None
        and snapshot.text_sha256
        and previous.text_sha256
        and snapshot.text_sha256 != previous.text_sha256
    )
    values = {name: getattr(snapshot, name) for name in FINISHED_FIELDS}
    values["warc_file"] = snapshot.warc_file.name or ""
    values["text_file"] = snapshot.text_file.name or ""
    with _bookkeeping():
        finished = Snapshot.objects.filter(pk=snapshot.pk, status=snapshot.status).update(
            status=Snapshot.Status.SUCCEEDED,
            finished_at=now,
            error="",
            content_changed=changed,
            **values,
        )
        if not finished:  # the sweeper gave up on us meanwhile; its verdict stands
            snapshot.refresh_from_db()
            return snapshot
        source = snapshot.source
        updates = {}
        if changed:
            updates["content_changed_at"] = now
        if not source.title and snapshot.page_title:
            updates["title"] = snapshot.page_title
        if updates:
            Source.objects.filter(pk=source.pk).update(**updates)
        if changed:
            transaction.on_commit(
                lambda: source_changed.send(
                    sender=Source,
                    source=Source.objects.get(pk=source.pk),
                    snapshot=Snapshot.objects.get(pk=snapshot.pk),
                    previous=previous,
                )
            )
    snapshot.status, snapshot.finished_at = Snapshot.Status.SUCCEEDED, now
    snapshot.error, snapshot.content_changed = "", changed
    return snapshot


def capture_from_bytes(
    source: Source,
    body: bytes,
    *,
    content_type: str,
    url: str | None = None,
    http_status: int = 200,
) -> Snapshot:
    """A snapshot of bytes we already hold (demo files), stored exactly like a fetched page."""
    now = timezone.now()
    snapshot = Snapshot.objects.create(source=source, attempts=1, started_at=now)
    result = archive.offline_result(
        url or source.url, body, content_type=content_type, http_status=http_status
    )
    try:
        return store(snapshot, result)
    finally:
        result.close()
