"""Bulk captures: batches claimed and finished in a fixed number of statements, failures kept
apart, and text extraction as its own step."""

import hashlib
import io
import itertools
import json
import os
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator

from sources import archive_reader, fetcher, pipeline, services, tasks
from sources.models import Snapshot, Source
from sources.pipeline import capturing, claiming

from ..factories import SnapshotFactory, SourceFactory
from .conftest import Reply, html_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_local")]

HTML = {"Content-Type": "text/html; charset=utf-8"}


def queued_pages(server, count, prefix="page"):
    """A queued snapshot of `count` distinct pages served by the test server."""
    snapshots = []
    for n in range(count):
        body = html_page(f"Story {prefix} {n}", f"What happened in story {n}. " * 20).encode()
        url = server.route(f"/{prefix}/{n}", Reply(200, body, HTML))
        snapshots.append(SnapshotFactory(queued=True, attempts=0, source=SourceFactory(url=url)))
    return snapshots


def ids(snapshots):
    return [s.pk for s in snapshots]


def test_a_batch_is_captured_first_and_its_text_extracted_as_a_second_step(server):
    snapshots = queued_pages(server, 3)

    outcomes = pipeline.capture_many(ids(snapshots))

    assert [o.claimed for o in outcomes] == [True, True, True]
    captured = Snapshot.objects.filter(pk__in=ids(snapshots))
    assert {s.status for s in captured} == {"captured"}
    assert all(s.warc_file and s.sha256 and not s.text_file for s in captured)
    assert all(s.finished_at and s.attempts == 1 for s in captured)

    pipeline.extract_many(ids(snapshots))

    done = Snapshot.objects.filter(pk__in=ids(snapshots)).order_by("pk")
    assert [s.status for s in done] == ["succeeded"] * 3
    assert [s.page_title for s in done] == ["Story page 0", "Story page 1", "Story page 2"]
    assert "What happened in story 2." in done[2].text_file.read().decode()


def test_a_batchs_captures_share_one_warc_file_and_each_reads_back_as_its_own(
    server, analyst_client
):
    snapshots = queued_pages(server, 3)

    pipeline.capture_many(ids(snapshots))
    pipeline.extract_many(ids(snapshots))

    done = list(Snapshot.objects.filter(pk__in=ids(snapshots)).order_by("pk"))
    assert len({s.warc_file.name for s in done}) == 1  # one file for the batch
    parts = [(s.warc_offset, s.warc_offset + s.warc_length) for s in done]
    assert all(end <= start for (_, end), (start, _) in itertools.pairwise(parts))  # apart
    for number, snapshot in enumerate(done):
        page = f"What happened in story {number}."
        with archive_reader.open_capture(snapshot) as handle:
            records = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(handle)]
        assert [kind for kind, _ in records] == ["response", "request"]
        assert page.encode() in records[0][1]
        assert hashlib.sha256(records[0][1]).hexdigest() == snapshot.sha256
        assert page in snapshot.text_file.read().decode()  # extracted from its own part
        # The download is this capture's records alone, and says how long it is.
        response = analyst_client.get(reverse("sources:snapshot-warc", args=[snapshot.pk]))
        data = b"".join(response.streaming_content)
        assert int(response["Content-Length"]) == len(data) == snapshot.warc_length
        downloaded = [r.rec_type for r in ArchiveIterator(io.BytesIO(data))]
        assert downloaded == ["response", "request"]
        framed = analyst_client.get(reverse("sources:snapshot-page", args=[snapshot.pk]))
        assert page in b"".join(framed.streaming_content).decode()


def test_an_empty_batch_captures_nothing_and_raises_nothing():
    # The claim written as SQL read "IN ()" for an empty batch: a syntax error on PostgreSQL.
    assert pipeline.capture_many([]) == []
    tasks.capture_snapshots([])


def test_a_batch_costs_the_same_statements_whatever_its_size(server):
    small, large = queued_pages(server, 2, "small"), queued_pages(server, 8, "large")

    with CaptureQueriesContext(connection) as two:
        pipeline.capture_many(ids(small))
    with CaptureQueriesContext(connection) as eight:
        pipeline.capture_many(ids(large))

    assert len(eight) == len(two) <= 10
    assert Snapshot.objects.filter(status="captured").count() == 10
    # The claim (which brings each row's source URL along) and the finishing round: a query
    # for the sources read every one of them on a database without statistics.
    statements = [
        q["sql"]
        for q in eight.captured_queries
        if "SAVEPOINT" not in q["sql"] and "synchronous_commit" not in q["sql"]
    ]
    assert len(statements) == 2


def test_a_claimed_capture_loads_the_rest_of_its_source_when_asked(server):
    (snapshot,) = queued_pages(server, 1)
    Source.objects.filter(pk=snapshot.source_id).update(title="Known title")

    (outcome,) = pipeline.capture_many([snapshot.pk])

    assert outcome.snapshot.source.url.endswith("/page/0")
    assert outcome.snapshot.source.title == "Known title"


def test_two_captures_of_one_source_in_a_batch_run_one_and_retry_the_other(server):
    body = html_page("Once", "Fetched once. " * 20).encode()
    source = SourceFactory(url=server.route("/once", Reply(200, body, HTML)))
    first = SnapshotFactory(queued=True, attempts=0, source=source)
    second = Snapshot.objects.create(source=source)

    outcomes = {o.snapshot.pk: o for o in pipeline.capture_many([first.pk, second.pk])}

    assert outcomes[first.pk].claimed and outcomes[first.pk].retry is None
    assert not outcomes[second.pk].claimed and outcomes[second.pk].retry is not None
    second.refresh_from_db()
    assert second.status == "queued" and len(server.requests) == 1


def test_failures_in_a_batch_are_recorded_apart_from_the_pages_that_worked(server):
    good = queued_pages(server, 2)
    missing = SnapshotFactory(
        queued=True, attempts=0, source=SourceFactory(url=server.route("/gone", Reply(404)))
    )
    down = SnapshotFactory(
        queued=True, attempts=0, source=SourceFactory(url=server.route("/down", Reply(503)))
    )

    outcomes = {o.snapshot.pk: o for o in pipeline.capture_many([*ids(good), missing.pk, down.pk])}

    rows = {s.pk: s for s in Snapshot.objects.all()}
    assert [rows[s.pk].status for s in good] == ["captured", "captured"]
    assert rows[missing.pk].status == "failed" and "HTTP 404" in rows[missing.pk].error
    assert rows[down.pk].status == "queued" and rows[down.pk].retry_at is not None
    assert outcomes[down.pk].retry is not None and outcomes[missing.pk].retry is None


def test_an_unchanged_page_in_a_batch_is_done_without_a_second_extraction(server):
    body = html_page("Same", "Nothing new. " * 20).encode()
    source = SourceFactory(url=server.route("/same", Reply(200, body, HTML)))
    first = pipeline.capture(snapshot_id=SnapshotFactory(queued=True, source=source).pk).snapshot
    again = Snapshot.objects.create(source=source)

    pipeline.capture_many([again.pk])

    again.refresh_from_db()
    assert again.status == "succeeded" and again.duplicate_of == first
    assert again.text_sha256 == first.text_sha256 and again.page_title == "Same"


def test_a_row_the_sweeper_failed_during_the_batch_keeps_its_verdict(server, monkeypatch):
    victim, other = queued_pages(server, 2)
    store = capturing._store_files

    def slow_store(snapshot, result, batch):
        store(snapshot, result, batch)
        if snapshot.pk == victim.pk:  # the sweeper gives up on it while the worker writes
            Snapshot.objects.filter(pk=victim.pk).update(
                status="failed", error=services.INTERRUPTED
            )

    monkeypatch.setattr(capturing, "_store_files", slow_store)

    outcomes = {o.snapshot.pk: o.snapshot for o in pipeline.capture_many(ids([victim, other]))}

    assert outcomes[victim.pk].status == "failed"
    assert Snapshot.objects.get(pk=victim.pk).status == "failed"
    assert Snapshot.objects.get(pk=other.pk).status == "captured"


@pytest.mark.parametrize("status", [404, 503])
def test_a_failure_after_another_worker_took_the_capture_over_leaves_its_claim_alone(
    server, monkeypatch, status
):
    # This worker outlived its lease (a fetch that hung) and another worker claimed the row
    # again: this worker's failure used to overwrite the other's claim (failed, or queued
    # again), and the other worker's result was then thrown away.
    url = server.route("/gone", Reply(status, b"nope", HTML))
    victim = SnapshotFactory(queued=True, attempts=0, source=SourceFactory(url=url))
    taken_over_at = timezone.now() + timedelta(seconds=1)
    fetch = fetcher.fetch

    def hanging_fetch(url, policy):
        Snapshot.objects.filter(pk=victim.pk).update(started_at=taken_over_at, attempts=2)
        return fetch(url, policy)

    monkeypatch.setattr(fetcher, "fetch", hanging_fetch)

    [outcome] = pipeline.capture_many([victim.pk])

    row = Snapshot.objects.get(pk=victim.pk)
    assert (row.status, row.started_at, row.error) == ("running", taken_over_at, "")
    assert not outcome.claimed and outcome.retry is None


def test_the_batch_task_captures_then_extracts_in_process(server):
    snapshots = queued_pages(server, 3)

    tasks.capture_snapshots.delay(ids(snapshots))  # eager here: extraction follows at once

    assert set(Snapshot.objects.values_list("status", flat=True)) == {"succeeded"}


def test_the_batch_task_retries_a_transient_failure_as_its_own_capture(server, monkeypatch):
    source = SourceFactory(url=server.route("/later", Reply(429, b"", {"Retry-After": "120"})))
    snapshot = SnapshotFactory(queued=True, attempts=0, source=source)
    retried = []
    monkeypatch.setattr(
        tasks.capture_snapshot,
        "apply_async",
        lambda args, countdown: retried.append((args, countdown)),
    )

    tasks.capture_snapshots.push_request(id="t1", is_eager=False, called_directly=False)
    try:
        tasks.capture_snapshots.run([snapshot.pk])
    finally:
        tasks.capture_snapshots.pop_request()

    assert retried == [((snapshot.pk,), 120)]


def test_asking_for_many_captures_gives_every_parallel_capture_a_batch(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.SNAPSHOT_PARALLEL_CAPTURES = 4
    batches = []
    monkeypatch.setattr(tasks.capture_snapshots, "delay", lambda pks: batches.append(pks))
    sources = [SourceFactory() for _ in range(30)]

    with django_capture_on_commit_callbacks(execute=True):
        snapshots = services.request_captures(sources)

    assert [len(batch) for batch in batches] == [8, 8, 8, 6]
    assert sorted(pk for batch in batches for pk in batch) == sorted(ids(snapshots))


@pytest.mark.parametrize(
    ("count", "parallel", "sizes"),
    [
        (0, 4, []),
        (3, 4, [1, 1, 1]),  # fewer captures than processes: one each
        (500, 8, [63] * 7 + [59]),
        (1000, 4, [services.MAX_BATCH_SIZE] * 10),  # a worker holds at most this many at once
    ],
)
def test_bulk_captures_are_cut_into_batches_for_the_worker_pool(count, parallel, sizes):
    cut = services.batches(list(range(count)), parallel=parallel)

    assert [len(batch) for batch in cut] == sizes
    assert [pk for batch in cut for pk in batch] == list(range(count))


def test_the_sweeper_queues_again_an_extraction_whose_task_was_lost(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.extract_snapshots, "delay", lambda pks: sent.extend(pks))
    lost = SnapshotFactory(
        status="captured", finished_at=timezone.now() - services.EXTRACTION_OVERDUE * 2
    )
    fresh = SnapshotFactory(status="captured", source=SourceFactory())

    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_stuck()

    assert sent == [lost.pk] and fresh.pk not in sent


def test_a_source_awaiting_extraction_is_not_captured_again_meanwhile():
    waiting = SnapshotFactory(status="captured")

    assert services.request_capture(source=waiting.source) == waiting
    assert waiting.source.snapshots.count() == 1


def test_a_full_disk_fails_the_capture_with_the_reason_instead_of_leaving_it_running(
    server, monkeypatch
):
    from sources import capture

    (snapshot,) = queued_pages(server, 1)

    def full_disk(batch, snapshot, result, **options):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(capture.WarcBatch, "add", full_disk)

    (outcome,) = pipeline.capture_many([snapshot.pk])

    assert outcome.snapshot.status == "failed" and outcome.retry is None
    assert "storing the capture failed" in outcome.snapshot.error
    assert outcome.snapshot.error_kind == "storage"
    assert "No space left on device" in outcome.snapshot.error


def disk_full_on_append(monkeypatch, *, at_call: int):
    """Make the `at_call`-th copy into a batch's WARC file write a few bytes, then find the disk
    full (the warcinfo record is the first copy, each capture's records one more)."""
    from sources import capture

    calls = []
    real_append = capture._append

    def fills_up(out, source):
        calls.append(out)
        if len(calls) == at_call:
            out.write(b"\x1f\x8b the first bytes of a record")
            raise OSError(28, "No space left on device")
        real_append(out, source)

    monkeypatch.setattr(capture, "_append", fills_up)


def test_a_disk_filling_up_half_way_through_a_capture_leaves_the_batch_file_whole(
    server, monkeypatch
):
    snapshots = queued_pages(server, 2)
    disk_full_on_append(monkeypatch, at_call=3)  # the second capture's records

    first, second = pipeline.capture_many(ids(snapshots))

    assert first.snapshot.status == "captured"
    assert second.snapshot.status == "failed" and not second.snapshot.warc_file
    assert "No space left on device" in second.snapshot.error
    # The half-written record was cut off: the file reads through, and ends with the first.
    with first.snapshot.warc_file.open("rb") as handle:
        assert [r.rec_type for r in ArchiveIterator(handle)] == ["warcinfo", "response", "request"]
        assert handle.tell() == first.snapshot.warc_offset + first.snapshot.warc_length


def test_a_batch_whose_only_capture_could_not_be_stored_leaves_no_file(server, monkeypatch):
    (snapshot,) = queued_pages(server, 1)
    disk_full_on_append(monkeypatch, at_call=2)

    (outcome,) = pipeline.capture_many([snapshot.pk])

    assert outcome.snapshot.status == "failed" and not outcome.snapshot.warc_file
    assert "No space left on device" in outcome.snapshot.error
    root = outcome.snapshot.warc_file.storage.path("snapshots")
    assert [files for _, _, files in os.walk(root) if files] == []  # nothing left for anyone


def test_a_batch_file_the_storage_cannot_take_fails_its_captures_with_the_reason(
    server, monkeypatch, settings
):
    from django.core.files.storage import InMemoryStorage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    snapshots = queued_pages(server, 2)

    def unreachable(storage, name, content, max_length=None):
        raise OSError("the bucket is unreachable")

    monkeypatch.setattr(InMemoryStorage, "save", unreachable)

    outcomes = pipeline.capture_many(ids(snapshots))

    assert [(o.snapshot.status, o.snapshot.error_kind) for o in outcomes] == [
        ("failed", "storage"),
        ("failed", "storage"),
    ]
    assert all("the bucket is unreachable" in o.snapshot.error for o in outcomes)
    assert not any(o.snapshot.warc_file for o in outcomes)  # no row points at a lost file


def test_a_second_task_for_a_captured_snapshot_leaves_its_extraction_to_the_first(server):
    # Bug: two capture tasks queued for one snapshot (the citation and "snapshot now") both
    # extracted it at once; one deleted the other's text file and failed the capture.
    (snapshot,) = queued_pages(server, 1)
    pipeline.capture_many([snapshot.pk])  # the first task has captured it, not yet extracted

    outcome = pipeline.capture(snapshot_id=snapshot.pk)  # the second task

    assert not outcome.claimed and outcome.snapshot.status == "captured"
    snapshot.refresh_from_db()
    assert snapshot.status == "captured" and not snapshot.text_file


def test_the_batch_task_queues_extraction_only_for_what_it_captured(server, monkeypatch):
    (theirs,) = queued_pages(server, 1, "theirs")
    pipeline.capture_many([theirs.pk])  # another task captured this one
    (mine,) = queued_pages(server, 1, "mine")
    queued = []
    monkeypatch.setattr(tasks.extract_snapshots, "delay", lambda pks: queued.append(pks))

    tasks.capture_snapshots.run([theirs.pk, mine.pk])

    assert queued == [[mine.pk]]


def test_a_batch_that_runs_out_of_its_lease_puts_the_pages_it_did_not_start_back(
    server, time_machine
):
    # The rows of a batch are all claimed at once; a batch slowed down by slow pages must not
    # hold the later ones past their lease, or the sweeper would fail them as interrupted.
    slow = html_page("Slow", "Slow page. " * 20).encode()
    time_machine.move_to(timezone.now(), tick=True)

    def slower_than_the_lease():
        time_machine.shift(pipeline.lease())  # the clock the lease is measured by moves on
        return Reply(200, slow, HTML)

    first = SnapshotFactory(
        queued=True,
        attempts=0,
        source=SourceFactory(url=server.route("/slow", slower_than_the_lease)),
    )
    later = queued_pages(server, 2, "later")

    outcomes = {o.snapshot.pk: o for o in pipeline.capture_many([first.pk, *ids(later)])}

    assert outcomes[first.pk].snapshot.status == "captured"
    for snapshot in later:
        row = Snapshot.objects.get(pk=snapshot.pk)
        assert (row.status, row.attempts, row.started_at) == ("queued", 0, None)
        outcome = outcomes[snapshot.pk]
        assert outcome.retry is not None and not outcome.claimed
        assert outcome.snapshot.status == "queued"  # what the task reports is the row as it is
    assert len(server.requests) == 1


def scans(sql, params, alias=Snapshot._meta.db_table):
    """How PostgreSQL plans to read the table under this name: (index, index condition) of each
    scan, None for the index of a scan that reads the whole table.

    EXPLAIN without ANALYZE: the plan the planner chose, not the rows it happened to go through.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    nodes, found = [plan[0]["Plan"]], []
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        if node.get("Alias") == alias and "Scan" in node["Node Type"]:
            # A bitmap heap scan takes its rows from the bitmap index scans below it.
            by = [c for c in node.get("Plans", []) if "Index Name" in c] or [node]
            found += [(b.get("Index Name"), b.get("Index Cond", "")) for b in by]
    return found


def finds_rows_by_id(scanned) -> bool:
    """Every scan goes straight to the rows asked for by id through an index."""
    return bool(scanned) and all(
        index and re.search(r"\bid = (ANY|\d)", condition) for index, condition in scanned
    )


@pytest.mark.usefixtures("postgres")
def test_claiming_a_batch_reads_its_own_rows_however_long_the_queue():
    # Until autovacuum has analysed the table (a new or a restored database, where the first
    # captures come in thousands), the planner knew nothing of how many rows were unfinished:
    # the claim of 25 rows went through every row (the index of unfinished rows was keyed by
    # status, no help with ids), so each batch cost more the more captures there were.
    sources = SourceFactory.create_batch(30)
    Snapshot.objects.bulk_create(Snapshot(source=sources[n % 30]) for n in range(4000))
    burst = Snapshot.objects.bulk_create(
        Snapshot(source=sources[n % 30], status=Snapshot.Status.QUEUED) for n in range(3000)
    )
    batch = [s.pk for s in burst[-25:]]

    assert finds_rows_by_id(scans(*claiming.claim_statement(batch, timezone.now())))
    extraction = Snapshot.objects.filter(pk__in=batch, status=Snapshot.Status.CAPTURED)
    assert finds_rows_by_id(scans(*extraction.query.sql_with_params()))


def test_a_failure_after_the_sweeper_gave_up_keeps_its_verdict_and_asks_no_retry(
    server, monkeypatch
):
    url = server.route("/busy", Reply(503, b"busy", HTML))
    victim = SnapshotFactory(queued=True, attempts=0, source=SourceFactory(url=url))
    fetch = fetcher.fetch

    def hanging_fetch(url, policy):
        Snapshot.objects.filter(pk=victim.pk).update(status="failed", error=services.INTERRUPTED)
        return fetch(url, policy)

    monkeypatch.setattr(fetcher, "fetch", hanging_fetch)

    [outcome] = pipeline.capture_many([victim.pk])

    assert Snapshot.objects.get(pk=victim.pk).error == services.INTERRUPTED
    assert outcome.snapshot.status == "failed" and outcome.retry is None


@pytest.mark.usefixtures("postgres")
def test_claiming_a_capture_finds_its_previous_one_without_reading_the_whole_history():
    # The claim returns each row with its source's newest successful capture (to store nothing
    # when the bytes did not change): it went through every capture of the source and sorted
    # them, a year of daily captures for each row of a batch.
    source = SourceFactory()
    start = timezone.now() - timedelta(days=400)
    Snapshot.objects.bulk_create(
        Snapshot(source=source, status=Snapshot.Status.SUCCEEDED, finished_at=start + timedelta(n))
        for n in range(400)
    )
    queued = SnapshotFactory(queued=True, source=source)

    sql, params = claiming.claim_statement([queued.pk], timezone.now())
    # The index of successful captures holds each source's newest first: one step, no sort.
    assert scans(sql, params, alias="previous") == [
        ("snapshot_latest_success", "(source_id = sources_snapshot.source_id)")
    ]
