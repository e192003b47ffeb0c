"""Captures run: a batch claimed, each page fetched and stored in the batch's WARC, the rows
finished; one capture with its extraction; bytes we already hold, stored the same way."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .. import archive_reader, fetcher
from .. import capture as archive
from ..models import Snapshot, Source
from .claiming import claim_many, lease
from .extracting import extract
from .finishing import DUPLICATED_FIELDS, finish_many, release
from .retries import (
    BUSY_RETRY_SECONDS,
    LostClaim,
    RetryLater,
    fail_on_our_error,
    record_failure,
)

RELEASED = "the batch ran out of time before this page; queued again"


@dataclass
class Captured:
    """What one attempt did, for tasks and commands to report."""

    snapshot: Snapshot
    claimed: bool
    retry: RetryLater | None = None  # set when the capture should be tried again later


def capture_many(snapshot_ids: list[int], *, policy: fetcher.Policy | None = None):
    """Run one attempt of each queued capture; returns a Captured per row that exists.

    Succeeded rows are `captured` (their text is extracted by `extract_many`) or `succeeded`
    when their bytes equal the previous capture's. A row with a transient failure is back in the
    queue and its Captured carries `retry`.
    """
    policy = policy or fetcher.Policy.from_settings()
    now = timezone.now()
    claimed = claim_many(list(snapshot_ids), now)
    outcomes = {s.pk: Captured(s, claimed=True) for s in claimed}
    for snapshot_id in snapshot_ids:
        if snapshot_id not in outcomes:
            outcome = _unclaimed(snapshot_id, now)
            if outcome is not None:
                outcomes[snapshot_id] = outcome
    stored = []
    # All the batch's rows were claimed at `now`, and the sweeper calls a row stuck once its
    # lease runs out: rows not started within half the lease go back to the queue instead.
    budget_ends = now + lease() / 2
    with archive.WarcBatch(claimed_at=now) as batch:
        for index, snapshot in enumerate(claimed):
            if timezone.now() > budget_ends:
                for late in release(claimed[index:], started_at=now):
                    outcomes[late.pk] = Captured(late, claimed=False, retry=RetryLater(1, RELEASED))
                break
            try:
                if _attempt(snapshot, policy, batch):
                    stored.append(snapshot)
            except RetryLater as exc:
                outcomes[snapshot.pk].retry = exc
            except LostClaim:
                outcomes[snapshot.pk].claimed = False
    for lost in _close(batch):
        stored.remove(lost)
        if lost.status != Snapshot.Status.FAILED:  # the sweeper's or another worker's now
            outcomes[lost.pk].claimed = False
    finish_many(stored, started_at=now)
    return [outcomes[pk] for pk in snapshot_ids if pk in outcomes]


def _unclaimed(snapshot_id: int, now: datetime) -> Captured | None:
    """Why a row was not claimed: busy source, not due yet, or not ours (None if it is gone)."""
    current = Snapshot.objects.filter(pk=snapshot_id).first()
    if current is None:
        return None
    if current.status == Snapshot.Status.QUEUED:
        busy = (
            Snapshot.objects.filter(source_id=current.source_id, status="running")
            .exclude(pk=snapshot_id)
            .exists()
        )
        if busy:
            retry = RetryLater(BUSY_RETRY_SECONDS, "another capture of this source is running")
            return Captured(current, claimed=False, retry=retry)
        if current.retry_at:
            # Delivered early (a redelivered task): wait out the backoff or the Retry-After.
            wait = (current.retry_at - now).total_seconds()
            return Captured(current, claimed=False, retry=RetryLater(max(wait, 1.0), "not due yet"))
    return Captured(current, claimed=False)


def _close(batch: archive.WarcBatch) -> list[Snapshot]:
    """Finish the batch's WARC file; when that fails, its captures fail (and are returned)."""
    try:
        batch.close()
    except Exception as exc:
        for snapshot in batch.snapshots:
            with suppress(LostClaim):
                fail_on_our_error(snapshot, "storing the capture", exc, kind="storage")
        return list(batch.snapshots)
    return []


def _attempt(snapshot: Snapshot, policy: fetcher.Policy, batch: archive.WarcBatch) -> bool:
    """Fetch the page and write its files; False when the attempt failed (row recorded)."""
    try:
        result = fetcher.fetch(snapshot.source.url, policy)
    except fetcher.FetchError as exc:
        record_failure(snapshot, exc)
        return False
    except Exception as exc:
        return fail_on_our_error(snapshot, "fetching the page", exc, kind="internal")
    try:
        _store_files(snapshot, result, batch)
    except Exception as exc:
        return fail_on_our_error(snapshot, "storing the capture", exc, kind="storage")
    finally:
        result.close()
    return True


def _store_files(snapshot: Snapshot, result: fetcher.FetchResult, batch: archive.WarcBatch) -> None:
    """Set the row's HTTP facts and append its records to the batch's WARC (not saved); a body
    identical to the previous capture's keeps pointing at that capture's files and text."""
    final = result.final
    snapshot.http_status = final.status
    snapshot.final_url = final.url[:2000]
    snapshot.redirect_chain = result.redirect_chain
    snapshot.response_headers = dict(final.headers)
    snapshot.ip_address = final.ip or None
    snapshot.content_type = final.header("Content-Type")[:200]
    snapshot.size = final.size
    snapshot.sha256 = final.sha256
    snapshot.truncated = bool(final.truncated)
    previous = getattr(snapshot, "previous", None)
    revisit_of = None
    if previous is not None and previous.sha256 == final.sha256 and previous.warc_file:
        # The page did not change: its text is the earlier capture's, and its WARC records
        # are a revisit of that capture's (unless those cannot be read: then stored in full).
        original = previous.duplicate_of or previous
        revisit_of = archive_reader.revisited(original)
        if revisit_of is not None:
            snapshot.duplicate_of = original
            for name in DUPLICATED_FIELDS:
                setattr(snapshot, name, getattr(original, name))
    batch.add(snapshot, result, revisit_of=revisit_of)


def capture(*, snapshot_id: int, policy: fetcher.Policy | None = None) -> Captured:
    """Capture one snapshot and extract its text at once. Raises RetryLater when it should be
    tried again later (a transient failure, a busy source, a task delivered early)."""
    outcomes = capture_many([snapshot_id], policy=policy)
    if not outcomes:
        raise Snapshot.DoesNotExist(f"no snapshot {snapshot_id}")
    outcome = outcomes[0]
    if outcome.retry is not None:
        raise outcome.retry
    if outcome.claimed and outcome.snapshot.status == Snapshot.Status.CAPTURED:
        # Only the task that captured it: a second task queued for the same snapshot finds it
        # captured, and two extractions at once would write the same text file.
        outcome.snapshot = extract(outcome.snapshot)
    return outcome


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
    snapshot = Snapshot.objects.create(
        source=source, status=Snapshot.Status.RUNNING, attempts=1, started_at=now
    )
    snapshot.previous = source.latest_succeeded_snapshot()
    result = archive.offline_result(
        url or source.url, body, content_type=content_type, http_status=http_status
    )
    try:
        with archive.WarcBatch(claimed_at=now) as batch:
            _store_files(snapshot, result, batch)
            batch.close()
    finally:
        result.close()
    finish_many([snapshot], started_at=now)
    return extract(snapshot) if snapshot.status == Snapshot.Status.CAPTURED else snapshot
