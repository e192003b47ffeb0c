"""Running captures: claim, fetch, store the WARC, finish the row; then extract the text.

A capture is a Snapshot row that moves queued → running → captured → succeeded, or → failed.
It runs in two steps so the network work never waits on the CPU work:

1. Capture (`capture_many`): claim a batch of queued rows in one statement, fetch each page through
   the checked fetcher, write its WARC, and finish the batch's rows in one statement as `captured`
   (or `succeeded` at once when the bytes equal the previous capture's: nothing new to extract).
   The network and file work happens outside any transaction; until the row is finished, no row
   points at half-written files. Transient failures go back to queued with a retry time, for up to
   24 hours after the capture was asked for.
2. Extraction (`extract_many`): read each captured page back out of its WARC, extract the text,
   title, date and language, compare the text with the previous capture, and finish the row as
   `succeeded`. A changed text flags the source and sends `source_changed`.

Bulk captures (schedules, a whole issue, the command) run batches with extraction as its own task;
the capture of one newly cited source runs both steps for it in one task (`capture`), so the
analyst who cited it sees the result at once.
"""

import logging
import random
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from . import archive_reader, extraction, fetcher
from . import capture as archive
from .models import Snapshot, Source
from .signals import source_changed

logger = logging.getLogger(__name__)

RETRY_WINDOW = timedelta(hours=24)  # past this the page may no longer be what the analyst cited
RETRY_BASE_SECONDS = 60
# Below the Redis broker's visibility timeout (1 h), past which a waiting task is redelivered.
RETRY_MAX_SECONDS = 50 * 60
EARLY_SLACK = timedelta(seconds=5)
BUSY_RETRY_SECONDS = 30


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
    retry: RetryLater | None = None  # set when the capture should be tried again later


def lease() -> timedelta:
    """How long a worker may hold a capture before the sweeper calls it stuck."""
    return timedelta(seconds=settings.SNAPSHOT_TIMEOUT * 4 + 300)


@contextmanager
def _bookkeeping():
    """A transaction for capture bookkeeping that does not wait for the disk on PostgreSQL.

    Losing the last claims or finishes in a database crash is harmless: the files are written
    before the row points at them, and a row left queued, running or captured is retried, swept
    or extracted again. Not waiting for the WAL flush is what lets a worker keep up with the
    network.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


# --- Claiming -------------------------------------------------------------------------------


SOURCE_URL = "claimed_source_url"  # the claim's column that carries each row's source URL


def _claim_many(snapshot_ids: list[int], now: datetime) -> list[Snapshot]:
    """Move the claimable rows to running; returns them with their sources, oldest first.

    One compare-and-set update for the whole batch, which returns the rows it claimed. A row
    another worker claimed first no longer matches the update's condition once that worker
    commits. The database allows one running capture per source: a source with a capture
    already running is left for later, and a batch holding two captures of one source falls
    back to claiming row by row.
    """
    if not snapshot_ids:
        return []  # "IN ()" is not SQL
    try:
        with _bookkeeping():
            snapshots = list(Snapshot.objects.raw(*_claim_statement(snapshot_ids, now)))
    except IntegrityError:  # two captures of one source in the batch, or a race for one
        if len(snapshot_ids) == 1:
            return []
        return [s for pk in snapshot_ids for s in _claim_many([pk], now)]
    if not snapshots:
        return []
    snapshots.sort(key=lambda snapshot: snapshot.pk)
    wanted = {s.previous_id for s in snapshots if s.previous_id}
    previous = Snapshot.objects.in_bulk(wanted) if wanted else {}
    for snapshot in snapshots:
        # A capture needs its source's URL, which the claim returned: the rest of the source
        # is loaded if something asks for it (a query of its own for every batch cost more than
        # the claim did, and without statistics PostgreSQL answered it by reading every source).
        url = snapshot.__dict__.pop(SOURCE_URL)
        snapshot.source = Source.from_db(DEFAULT_DB_ALIAS, ["id", "url"], [snapshot.source_id, url])
        snapshot.previous = previous.get(snapshot.previous_id)
    return snapshots


def _claim_statement(snapshot_ids: list[int], now: datetime) -> tuple[str, list]:
    """UPDATE … RETURNING the claimed rows, each with its source's URL and newest successful
    capture.

    Claimable: queued and due (or nearly), or running for longer than a worker may hold a
    capture. Written out because QuerySet.update returns only a count, and compiling the update
    and the read-back query for every batch cost more CPU than the statements did. Only names
    from the model's metadata go into the text; every value is a parameter.
    """
    meta = Snapshot._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    status, started_at, retry_at, source, finished_at, attempts = (
        quote(meta.get_field(name).column)
        for name in ("status", "started_at", "retry_at", "source", "finished_at", "attempts")
    )
    columns = ", ".join(f"{table}.{quote(field.column)}" for field in meta.concrete_fields)
    source_meta = Source._meta
    sources, source_pk, url = (
        quote(source_meta.db_table),
        quote(source_meta.pk.column),
        quote(source_meta.get_field("url").column),
    )
    ids = ", ".join(["%s"] * len(snapshot_ids))
    sql = f"""
        UPDATE {table}
        SET {status} = %s, {started_at} = %s, {attempts} = {attempts} + 1, {retry_at} = NULL
        WHERE {table}.{pk} IN ({ids})
          AND (({status} = %s AND ({retry_at} IS NULL OR {retry_at} <= %s))
               OR ({status} = %s AND {started_at} < %s))
          AND NOT EXISTS (
            SELECT 1 FROM {table} AS sibling
            WHERE sibling.{source} = {table}.{source} AND sibling.{status} = %s
              AND sibling.{pk} <> {table}.{pk})
        RETURNING {columns}, (
            SELECT claimed_source.{url} FROM {sources} AS claimed_source
            WHERE claimed_source.{source_pk} = {table}.{source}) AS {quote(SOURCE_URL)}, (
            SELECT previous.{pk} FROM {table} AS previous
            WHERE previous.{source} = {table}.{source} AND previous.{status} = %s
            ORDER BY previous.{finished_at} DESC, previous.{pk} DESC LIMIT 1) AS previous_id
    """  # noqa: S608
    running, queued = Snapshot.Status.RUNNING, Snapshot.Status.QUEUED
    params = [
        running,
        now,
        *snapshot_ids,
        queued,
        now + EARLY_SLACK,
        running,
        now - lease(),
        running,
        Snapshot.Status.SUCCEEDED,
    ]
    return sql, params


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


# --- Fetching and storing --------------------------------------------------------------------


def capture_many(snapshot_ids: list[int], *, policy: fetcher.Policy | None = None):
    """Run one attempt of each queued capture; returns a Captured per row that exists.

    Succeeded rows are `captured` (their text is extracted by `extract_many`) or `succeeded`
    when their bytes equal the previous capture's. A row with a transient failure is back in the
    queue and its Captured carries `retry`.
    """
    policy = policy or fetcher.Policy.from_settings()
    now = timezone.now()
    claimed = _claim_many(list(snapshot_ids), now)
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
                for late in _release(claimed[index:], started_at=now):
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
    _finish_many(stored, started_at=now)
    return [outcomes[pk] for pk in snapshot_ids if pk in outcomes]


def _close(batch: archive.WarcBatch) -> list[Snapshot]:
    """Finish the batch's WARC file; when that fails, its captures fail (and are returned)."""
    try:
        batch.close()
    except Exception as exc:
        for snapshot in batch.snapshots:
            with suppress(LostClaim):
                _fail_on_our_error(snapshot, "storing the capture", exc, kind="storage")
        return list(batch.snapshots)
    return []


RELEASED = "the batch ran out of time before this page; queued again"


def _release(snapshots: list[Snapshot], *, started_at: datetime) -> list[Snapshot]:
    """Put claimed rows that were never started back in the queue, as if never claimed."""
    Snapshot.objects.filter(
        pk__in=[s.pk for s in snapshots], status=Snapshot.Status.RUNNING, started_at=started_at
    ).update(status=Snapshot.Status.QUEUED, started_at=None, attempts=F("attempts") - 1)
    current = Snapshot.objects.in_bulk([s.pk for s in snapshots])  # one read, not one per row
    return [current[s.pk] for s in snapshots if s.pk in current]


def _attempt(snapshot: Snapshot, policy: fetcher.Policy, batch: archive.WarcBatch) -> bool:
    """Fetch the page and write its files; False when the attempt failed (row recorded)."""
    try:
        result = fetcher.fetch(snapshot.source.url, policy)
    except fetcher.FetchError as exc:
        _record_failure(snapshot, exc)
        return False
    except Exception as exc:
        return _fail_on_our_error(snapshot, "fetching the page", exc, kind="internal")
    try:
        _store_files(snapshot, result, batch)
    except Exception as exc:
        return _fail_on_our_error(snapshot, "storing the capture", exc, kind="storage")
    finally:
        result.close()
    return True


def _fail_on_our_error(snapshot: Snapshot, step: str, exc: Exception, *, kind: str) -> bool:
    """Our own bug or a full disk must not leave the row running until the sweeper: fail it
    at once with the reason."""
    logger.exception("capture %s: %s failed", snapshot.pk, step)
    _record_failure(snapshot, fetcher.PermanentFetchError(f"{step} failed: {exc!r}", kind=kind))
    return False


def _retry_delay(snapshot: Snapshot, exc: fetcher.FetchError) -> float:
    """Seconds until the next attempt: Retry-After when given, else backoff with jitter."""
    if exc.retry_after is not None:
        return exc.retry_after
    ceiling = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, snapshot.attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not security)


def _record_failure(snapshot: Snapshot, exc: fetcher.FetchError) -> None:
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


class LostClaim(Exception):
    """The capture is no longer this worker's (the sweeper's verdict, or another worker's
    claim after this one outlived its lease): leave it alone."""


def _refresh_or_lose(snapshot: Snapshot, recorded: int) -> None:
    snapshot.refresh_from_db()
    if not recorded:
        raise LostClaim


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


#: What extraction finds (besides the text file).
EXTRACTED_FIELDS = [
    "text_sha256",
    "charset",
    "charset_source",
    "page_title",
    "page_date",
    "language",
]
#: What a capture identical to an earlier one takes over from it.
DUPLICATED_FIELDS = ["text_file", *EXTRACTED_FIELDS]
#: What a capture that stored its own WARC writes (its text comes with the extraction).
STORED_FIELDS = [
    "status",
    "finished_at",
    "error",
    "error_kind",
    "content_changed",
    "http_status",
    "final_url",
    "redirect_chain",
    "response_headers",
    "ip_address",
    "content_type",
    "size",
    "sha256",
    "truncated",
    "warc_file",
    "warc_offset",
    "warc_length",
]
#: What a capture identical to the previous one writes: it is finished, text and all.
UNCHANGED_FIELDS = [
    *STORED_FIELDS,
    "duplicate_of",
    *(name for name in DUPLICATED_FIELDS if name not in STORED_FIELDS),
]


def _finish_many(snapshots: list[Snapshot], *, started_at: datetime) -> None:
    """Write the stored captures' rows, as captured (or succeeded if unchanged), in one round.

    Only rows still running under this claim are written: when the sweeper gave up on one
    meanwhile, its verdict stands.
    """
    if not snapshots:
        return
    now = timezone.now()
    for snapshot in snapshots:
        unchanged = snapshot.duplicate_of_id is not None
        snapshot.status = Snapshot.Status.SUCCEEDED if unchanged else Snapshot.Status.CAPTURED
        snapshot.finished_at, snapshot.content_changed = now, False
        snapshot.error, snapshot.error_kind = "", ""  # an earlier attempt's failure is over
    stored = [s for s in snapshots if s.duplicate_of_id is None]
    unchanged = [s for s in snapshots if s.duplicate_of_id is not None]
    written = 0
    with _bookkeeping():
        # Two statement texts at most: a fresh capture has no text or duplicate to write yet.
        for rows, names in ((stored, STORED_FIELDS), (unchanged, UNCHANGED_FIELDS)):
            if rows:
                written += _update_rows(rows, names, started_at=started_at)
    if written != len(snapshots):
        current = dict(
            Snapshot.objects.filter(pk__in=[s.pk for s in snapshots]).values_list("pk", "status")
        )
        for snapshot in snapshots:
            if current.get(snapshot.pk) != snapshot.status:
                snapshot.refresh_from_db()


def _update_rows(snapshots: list[Snapshot], names: list[str], *, started_at: datetime) -> int:
    """UPDATE the rows still running under this claim; returns how many were written.

    One statement text executed for every row (psycopg pipelines them). QuerySet.update would
    compile it again for every row, and bulk_update's CASE per field and row costs more than
    fetching the page does; one UPDATE … FROM (VALUES …) was measured no faster. Only names from
    the model's metadata go into the text; every value is a parameter.
    """
    meta = Snapshot._meta
    # The thread's connection itself: `connection` is a proxy that looks the thread's up again
    # on every use, and preparing the values uses it once per field and row.
    database = connections[DEFAULT_DB_ALIAS]
    quote = database.ops.quote_name
    fields = [meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    claim_columns = [meta.pk.column, *(meta.get_field(n).column for n in ("status", "started_at"))]
    where = " AND ".join(f"{quote(column)} = %s" for column in claim_columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {where}"  # noqa: S608
    claim = [
        Snapshot.Status.RUNNING,
        meta.get_field("started_at").get_db_prep_save(started_at, database),
    ]
    rows = [
        [*(f.get_db_prep_save(getattr(s, f.attname), database) for f in fields), s.pk, *claim]
        for s in snapshots
    ]
    with database.cursor() as cursor:
        cursor.executemany(sql, rows)
        return cursor.rowcount


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
    _finish_many([snapshot], started_at=now)
    return extract(snapshot) if snapshot.status == Snapshot.Status.CAPTURED else snapshot


# --- Extraction ------------------------------------------------------------------------------


def extract_many(snapshot_ids: list[int]) -> list[Snapshot]:
    """Extract the text of each captured snapshot, oldest capture first."""
    snapshots = (
        Snapshot.objects.select_related("source")
        .filter(pk__in=snapshot_ids, status=Snapshot.Status.CAPTURED)
        .order_by("finished_at", "pk")
    )
    return [extract(snapshot) for snapshot in snapshots]


def extract(snapshot: Snapshot) -> Snapshot:
    """Read the page back from the WARC, extract it and finish the row as succeeded."""
    try:
        body = archive_reader.page_body(
            snapshot,
            # Never more than the capture's cap: a gzip bomb's raw bytes decompress past it.
            limit=min(extraction.HTML_LIMIT, settings.SNAPSHOT_MAX_BYTES),
            pdf_limit=settings.SNAPSHOT_MAX_BYTES,
        )
        with body:
            found = extraction.extract(
                body, content_type=snapshot.content_type, url=snapshot.final_url
            )
        archive.save_text(snapshot, found.text)
    except Exception as exc:
        logger.exception("extracting capture %s failed", snapshot.pk)
        Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.CAPTURED).update(
            status=Snapshot.Status.FAILED,
            error=f"extracting the text failed: {exc}"[:2000],
            error_kind=Snapshot.ErrorKind.EXTRACTION,
        )
        snapshot.refresh_from_db()
        return snapshot
    snapshot.text_sha256 = found.text_sha256
    snapshot.charset = found.charset[:40]
    snapshot.charset_source = found.charset_source[:40]
    snapshot.page_title = found.title[:500]
    snapshot.page_date = found.published
    snapshot.language = found.language[:16]
    return _finish_extraction(snapshot)


def _finish_extraction(snapshot: Snapshot) -> Snapshot:
    previous = snapshot.source.latest_succeeded_snapshot()  # this one is still only captured
    changed = bool(
        previous is not None
        and snapshot.text_sha256
        and previous.text_sha256
        and snapshot.text_sha256 != previous.text_sha256
    )
    now = timezone.now()
    values = {name: getattr(snapshot, name) for name in EXTRACTED_FIELDS}
    with _bookkeeping():
        finished = Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.CAPTURED).update(
            status=Snapshot.Status.SUCCEEDED,
            content_changed=changed,
            text_file=snapshot.text_file.name or "",
            **values,
        )
        if not finished:  # extracted twice at once (a redelivered task): the first one stands
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
    snapshot.status, snapshot.content_changed = Snapshot.Status.SUCCEEDED, changed
    return snapshot
