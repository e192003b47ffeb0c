"""The claim: a batch of queued rows moved to running in one statement, and the lease a
worker holds them for."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection

from ..models import Snapshot, Source
from .bookkeeping import bookkeeping

EARLY_SLACK = timedelta(seconds=5)
SOURCE_URL = "claimed_source_url"  # the claim's column that carries each row's source URL

CLAIM = """
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
        WHERE claimed_source.{source_pk} = {table}.{source}) AS {source_url}, (
        SELECT previous.{pk} FROM {table} AS previous
        WHERE previous.{source} = {table}.{source} AND previous.{status} = %s
        ORDER BY previous.{finished_at} DESC, previous.{pk} DESC LIMIT 1) AS previous_id
"""


def lease() -> timedelta:
    """How long a worker may hold a capture before the sweeper calls it stuck."""
    return timedelta(seconds=settings.SNAPSHOT_TIMEOUT * 4 + 300)


def claim_many(snapshot_ids: list[int], now: datetime) -> list[Snapshot]:
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
        with bookkeeping():
            snapshots = list(Snapshot.objects.raw(*claim_statement(snapshot_ids, now)))
    except IntegrityError:  # two captures of one source in the batch, or a race for one
        if len(snapshot_ids) == 1:
            return []
        return [s for pk in snapshot_ids for s in claim_many([pk], now)]
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


def claim_statement(snapshot_ids: list[int], now: datetime) -> tuple[str, list]:
    """UPDATE … RETURNING the claimed rows, each with its source's URL and newest successful
    capture.

    Claimable: queued and due (or nearly), or running for longer than a worker may hold a
    capture. Written out because QuerySet.update returns only a count, and compiling the update
    and the read-back query for every batch cost more CPU than the statements did. Only names
    from the model's metadata go into the text; every value is a parameter.
    """
    sql = CLAIM.format(ids=", ".join(["%s"] * len(snapshot_ids)), **_quoted_names())
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


def _quoted_names() -> dict[str, str]:
    """The claim's table and column names, from the models' metadata."""
    quote = connection.ops.quote_name
    meta, source_meta = Snapshot._meta, Source._meta
    fields = ("status", "started_at", "retry_at", "source", "finished_at", "attempts")
    names = {name: quote(meta.get_field(name).column) for name in fields}
    table = quote(meta.db_table)
    return {
        **names,
        "table": table,
        "pk": quote(meta.pk.column),
        "columns": ", ".join(f"{table}.{quote(field.column)}" for field in meta.concrete_fields),
        "sources": quote(source_meta.db_table),
        "source_pk": quote(source_meta.pk.column),
        "url": quote(source_meta.get_field("url").column),
        "source_url": quote(SOURCE_URL),
    }
