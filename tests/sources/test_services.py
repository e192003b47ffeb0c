"""Capture bookkeeping: dedup, change detection, triggers, crashes, races and the sweeper."""

import io
import os
import threading
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.db import connection
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator

from events.models import Issue
from sources import archive_reader, pipeline, services, tasks
from sources.models import Snapshot, Source
from sources.signals import source_changed

from ..factories import CitationFactory, IssueFactory, SnapshotFactory, SourceFactory
from .conftest import Reply, html_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_local")]

HTML = {"Content-Type": "text/html; charset=utf-8"}


def queued(source):
    return SnapshotFactory(queued=True, attempts=0, source=source)


def capture(source):
    snapshot = queued(source)
    pipeline.capture(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    return snapshot


@pytest.fixture
def received():
    """Every source_changed signal sent during the test."""
    calls = []

    def listener(sender, **kwargs):
        calls.append(kwargs)

    source_changed.connect(listener, dispatch_uid="test-listener")
    yield calls
    source_changed.disconnect(dispatch_uid="test-listener")


def test_an_identical_body_records_the_check_without_storing_the_page_again(server):
    body = html_page("Same", "Nothing changed here." * 10).encode()
    source = SourceFactory(url=server.route("/same", Reply(200, body, HTML)))
    first = capture(source)
    second = capture(source)

    assert second.status == Snapshot.Status.SUCCEEDED
    assert second.duplicate_of == first
    assert second.text_file.name == first.text_file.name
    assert second.text_sha256 == first.text_sha256
    assert not second.content_changed
    # Its own WARC holds a revisit record (the HTTP head), not the body again.
    assert second.warc_file.name != first.warc_file.name
    assert second.warc_length < first.warc_length
    directory = first.warc_file.storage.path(os.path.dirname(first.warc_file.name))
    files = [first.warc_file.name, second.warc_file.name, first.text_file.name]
    assert sorted(os.listdir(directory)) == sorted(os.path.basename(f) for f in files)


def test_changed_text_flags_the_source_and_sends_source_changed(
    server, received, django_capture_on_commit_callbacks
):
    pages = iter(
        [
            html_page("Deal", "The deal is worth 10 billion dollars." * 5),
            html_page("Deal", "The deal is worth 12 billion dollars." * 5),
        ]
    )
    url = server.route("/deal", lambda: Reply(200, next(pages).encode(), HTML))
    source = SourceFactory(url=url)
    first = capture(source)
    with django_capture_on_commit_callbacks(execute=True):
        second = capture(source)

    assert second.content_changed and not first.content_changed
    source.refresh_from_db()
    assert source.content_changed_at is not None
    assert len(received) == 1
    assert (received[0]["source"], received[0]["snapshot"], received[0]["previous"]) == (
        source,
        second,
        first,
    )


def test_markup_only_changes_are_not_a_content_change(server, received):
    pages = iter(
        [
            html_page("Deal", "Same words.  " * 20),
            html_page("Deal", "Same   words." + "  Same words." * 19).replace(
                "<p>", "<p class='x'>"
            ),
        ]
    )
    source = SourceFactory(url=server.route("/p", lambda: Reply(200, next(pages).encode(), HTML)))
    capture(source)
    second = capture(source)

    assert not second.content_changed and received == []


def test_capture_from_bytes_stores_a_real_snapshot_without_network():
    source = SourceFactory(url="https://openai.com/index/new-model/", title="")
    body = html_page("Introducing a new model", "A model for agents." * 10).encode()

    snapshot = pipeline.capture_from_bytes(source, body, content_type="text/html; charset=utf-8")

    assert snapshot.status == Snapshot.Status.SUCCEEDED and snapshot.http_status == 200
    assert snapshot.page_title == "Introducing a new model"
    with archive_reader.open_capture(snapshot) as handle:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
            for r in ArchiveIterator(handle)
        ]
    assert records == [
        ("response", "https://openai.com/index/new-model/"),
        ("request", "https://openai.com/index/new-model/"),
    ]


def test_saving_a_citation_of_a_new_source_queues_its_first_capture_after_commit(
    server, django_capture_on_commit_callbacks
):
    body = html_page("Cited", "A page an analyst cited." * 5).encode()
    source = SourceFactory(url=server.route("/cited", Reply(200, body, HTML)))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        CitationFactory(source=source)
    assert callbacks  # nothing ran before the commit

    snapshot = source.snapshots.get()
    assert snapshot.status == Snapshot.Status.SUCCEEDED


def test_citing_a_source_that_already_has_a_snapshot_queues_nothing(
    django_capture_on_commit_callbacks,
):
    source = SnapshotFactory().source
    with django_capture_on_commit_callbacks(execute=True):
        CitationFactory(source=source)
    assert source.snapshots.count() == 1


def test_asking_twice_for_a_capture_keeps_one_pending_snapshot():
    source = SourceFactory()
    first = services.request_capture(source=source)
    second = services.request_capture(source=source)
    assert first == second and source.snapshots.count() == 1


def test_a_rerun_after_a_crash_leaves_no_half_written_snapshot(server):
    body = html_page("Crash", "Worker died half way." * 10).encode()
    source = SourceFactory(url=server.route("/c", Reply(200, body, HTML)))
    snapshot = queued(source)
    # The first worker claimed the capture, wrote part of its batch's WARC, and died.
    claimed_at = timezone.now() - timedelta(hours=2)
    Snapshot.objects.filter(pk=snapshot.pk).update(
        status="running", attempts=1, started_at=claimed_at
    )
    leftover = f"snapshots/{snapshot.queued_at:%Y/%m/%d}/{snapshot.pk}-{claimed_at:%H%M%S%f}"
    leftover = snapshot.warc_file.storage.save(f"{leftover}.warc.gz", io.BytesIO(b"\x1f\x8b half"))

    pipeline.capture(snapshot_id=snapshot.pk)  # the broker redelivers the task

    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.SUCCEEDED and snapshot.attempts == 2
    assert snapshot.warc_file.name != leftover  # the new claim writes a file of its own
    with archive_reader.open_capture(snapshot) as handle:
        assert [r.rec_type for r in ArchiveIterator(handle)] == ["response", "request"]
    with snapshot.warc_file.open("rb") as handle:
        types = [r.rec_type for r in ArchiveIterator(handle)]
    assert types == ["warcinfo", "response", "request"]  # whole: no half record in it


def test_a_capture_held_by_a_live_worker_is_not_taken_over():
    snapshot = SnapshotFactory(status="running", started_at=timezone.now(), finished_at=None)
    outcome = pipeline.capture(snapshot_id=snapshot.pk)
    assert not outcome.claimed
    snapshot.refresh_from_db()
    assert snapshot.status == "running"


def test_the_sweeper_fails_captures_whose_worker_died():
    stuck = SnapshotFactory(status="running", finished_at=None)
    Snapshot.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(hours=3))
    live = SnapshotFactory(status="running", finished_at=None, source=SourceFactory())

    assert tasks.sweep_stuck_snapshots() == 1  # the dead worker's capture, not the live one

    stuck.refresh_from_db()
    live.refresh_from_db()
    assert stuck.status == "failed" and "interrupted" in stuck.error
    assert stuck.error_kind == "interrupted"
    assert live.status == "running"


def test_beat_recaptures_sources_of_unpublished_issues_that_are_not_fresh():
    draft, published = IssueFactory(), IssueFactory(published=True)
    stale = CitationFactory(event__issue=draft).source
    SnapshotFactory(source=stale, finished_at=timezone.now() - timedelta(hours=5))
    fresh = CitationFactory(event__issue=draft).source
    SnapshotFactory(source=fresh)
    of_published = CitationFactory(event__issue=published).source
    Snapshot.objects.filter(source__in=[stale, fresh, of_published], status="queued").delete()

    assert tasks.recapture_sources(scope="unpublished") == 1
    assert stale.snapshots.filter(status="queued").exists()
    assert not fresh.snapshots.filter(status="queued").exists()

    assert tasks.recapture_sources(scope="published") == 1
    assert of_published.snapshots.filter(status="queued").exists()
    assert draft.status == Issue.Status.DRAFT


def test_the_task_asks_celery_to_retry_with_the_services_delay(server, monkeypatch):
    source = SourceFactory(url=server.route("/busy", Reply(429, b"", {"Retry-After": "90"})))
    snapshot = queued(source)
    monkeypatch.setattr(tasks.capture_snapshot, "apply_async", lambda *a, **k: None)

    # As a worker runs it (not in-process, not called directly).
    tasks.capture_snapshot.push_request(id="t1", retries=0, called_directly=False, is_eager=False)
    try:
        with pytest.raises(Retry) as retry:
            tasks.capture_snapshot.run(snapshot.pk)
    finally:
        tasks.capture_snapshot.pop_request()

    assert retry.value.when == 90


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_capture_the_same_source_at_once(postgres, server):
    body = html_page("Race", "Both workers want this page." * 5).encode()
    source = SourceFactory(url=server.route("/race", Reply(200, body, HTML, delay=0.3)))
    first = queued(source)
    second = Snapshot.objects.create(source=source)
    barrier = threading.Barrier(2)
    outcomes = {}

    def worker(snapshot_id):
        try:
            barrier.wait()
            outcomes[snapshot_id] = pipeline.capture(snapshot_id=snapshot_id).claimed
        except pipeline.RetryLater as exc:
            outcomes[snapshot_id] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(s.pk,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    results = sorted(outcomes.values(), key=lambda v: isinstance(v, Exception))
    assert results[0] is True and isinstance(results[1], pipeline.RetryLater)
    assert Source.objects.get(pk=source.pk).snapshots.filter(status="succeeded").count() == 1
    assert len(server.requests) == 1


def test_in_process_a_transient_failure_leaves_the_capture_queued_for_the_next_trigger(
    server, monkeypatch
):
    source = SourceFactory(url=server.route("/down", Reply(503, b"down")))
    snapshot = queued(source)

    tasks.capture_snapshot.delay(snapshot.pk)  # eager: no worker to come back later

    snapshot.refresh_from_db()
    assert snapshot.status == "queued" and "HTTP 503" in snapshot.error
    sent = []
    monkeypatch.setattr(tasks.capture_snapshot, "delay", lambda pk: sent.append(pk))
    with_commit = services.request_capture(source=source)
    assert with_commit == snapshot  # asking again re-queues the same capture, not a second one


def test_the_sweeper_requeues_captures_whose_task_was_lost(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.capture_snapshot, "delay", lambda pk: sent.append(pk))
    lost = SnapshotFactory(queued=True)
    Snapshot.objects.filter(pk=lost.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    waiting = SnapshotFactory(queued=True, source=SourceFactory())
    Snapshot.objects.filter(pk=waiting.pk).update(
        queued_at=timezone.now() - timedelta(hours=1), retry_at=timezone.now() + timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_stuck()

    assert lost.pk in sent and waiting.pk not in sent


def test_the_sweeper_stops_recapturing_a_page_that_keeps_killing_workers(db, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from sources import services
    from sources.models import Snapshot

    from ..factories import SourceFactory

    queued = []
    monkeypatch.setattr(services, "_queue_task", queued.append)
    source = SourceFactory()
    for _ in range(services.MAX_INTERRUPTED_PER_DAY):
        Snapshot.objects.create(
            source=source, status="failed", error=services.INTERRUPTED, finished_at=timezone.now()
        )
    Snapshot.objects.filter(pk=Snapshot.objects.create(source=source, status="running").pk).update(
        started_at=timezone.now() - pipeline.lease() - timedelta(seconds=1)
    )
    services.sweep_stuck()
    assert not source.snapshots.active().exists()
    assert queued == []
