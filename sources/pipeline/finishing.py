"""The end of an attempt: a batch's stored rows written back in one round, and the rows a batch
never started put back in the queue."""

from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F
from django.utils import timezone

from ..models import Snapshot
from .bookkeeping import bookkeeping

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


def finish_many(snapshots: list[Snapshot], *, started_at: datetime) -> None:
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
    with bookkeeping():
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


def release(snapshots: list[Snapshot], *, started_at: datetime) -> list[Snapshot]:
    """Put claimed rows that were never started back in the queue, as if never claimed."""
    Snapshot.objects.filter(
        pk__in=[s.pk for s in snapshots], status=Snapshot.Status.RUNNING, started_at=started_at
    ).update(status=Snapshot.Status.QUEUED, started_at=None, attempts=F("attempts") - 1)
    current = Snapshot.objects.in_bulk([s.pk for s in snapshots])  # one read, not one per row
    return [current[s.pk] for s in snapshots if s.pk in current]
