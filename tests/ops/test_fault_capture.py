"""Faults survived: a worker SIGKILLed in the middle of a capture.

The worker holds the capture's task unacknowledged (`acks_late`) and its row "running". After
the kill, two clocks must run out before the capture is taken up again: Redis's visibility
timeout (1 hour; then any worker gets the task again) and the capture's lease (then the row may
be claimed from the dead worker). The test does not wait an hour: it ages both, the message's
delivery time in Redis and the row's start time in the database, as that hour would.
With the default timing the sweeper acts first: it fails the row and queues a fresh capture of
the source at once (the last test).
"""

import threading
from datetime import timedelta

import pytest
import redis
from django.db.models import F
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator

from sources import pipeline, services
from sources.models import Snapshot

from ..conftest import wait_for
from ..factories import SourceFactory
from ..sources.conftest import LocalServer, Reply, html_page

pytestmark = [
    pytest.mark.faults,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]

WORKER_SNAPSHOT_TIMEOUT = 20  # seconds; the stalled body below stays well inside it
TITLE = "Broadcom 与 Google 签署多代 TPU 长期协议"
BODY = html_page(TITLE, "协议覆盖多代 TPU 与数据中心网络。" * 30).encode()
HEADERS = {"Content-Type": "text/html; charset=utf-8"}


class StallingPage:
    """The first request gets headers and a few bytes, then the body stalls; later ones are fast."""

    def __init__(self):
        self.release = threading.Event()
        self.requests = 0

    def __call__(self) -> Reply:
        self.requests += 1
        if self.requests > 1:
            return Reply(200, BODY, HEADERS)

        def stream():
            yield BODY[:200]
            self.release.wait(WORKER_SNAPSHOT_TIMEOUT)  # the worker is killed meanwhile
            yield BODY[200:]

        return Reply(200, headers={**HEADERS, "Content-Length": str(len(BODY))}, stream=stream)


@pytest.fixture
def stalling_page():
    server = LocalServer()
    page = StallingPage()
    url = server.route("/tpu-deal", page)
    try:
        yield url, page
    finally:
        page.release.set()
        server.close()


def unacked_tasks(broker_url: str) -> list[bytes]:
    """Tasks a worker took from Redis and did not acknowledge (kombu's unacked index)."""
    return redis.Redis.from_url(broker_url).zrange("unacked_index", 0, -1)


def let_the_visibility_timeout_pass(broker_url: str) -> None:
    """Date the unacknowledged deliveries back to 1970: the next worker restores them at once."""
    client = redis.Redis.from_url(broker_url)
    for tag in client.zrange("unacked_index", 0, -1):
        client.zadd("unacked_index", {tag: 0})


def test_a_capture_cut_off_by_a_killed_worker_is_retried_into_exactly_one_snapshot(
    workers, redis_broker, stalling_page, settings
):
    url, page = stalling_page
    settings.SNAPSHOT_TIMEOUT = WORKER_SNAPSHOT_TIMEOUT  # the lease here is the workers' lease
    first = workers.start(SNAPSHOT_TIMEOUT=str(WORKER_SNAPSHOT_TIMEOUT))
    source = SourceFactory(url=url)

    snapshot = services.request_capture(source=source)  # queued on commit (autocommit here)

    wait_for(lambda: page.requests == 1, timeout=30, message="the worker fetching the page")
    wait_for(
        lambda: Snapshot.objects.get(pk=snapshot.pk).status == "running",
        timeout=10,
        message="the capture claimed",
    )
    workers.kill(first)  # mid-body: nothing written, nothing acknowledged

    snapshot.refresh_from_db()
    assert snapshot.status == "running" and snapshot.attempts == 1
    assert not snapshot.warc_file
    assert len(unacked_tasks(redis_broker)) == 1  # the capture task, held by the dead worker
    # While its lease runs the sweeper leaves the capture alone: the worker might be alive.
    assert services.sweep_stuck() == 0

    # An hour passes for the dead worker: its lease and the broker's visibility timeout end.
    lease = pipeline.lease() + timedelta(seconds=1)
    Snapshot.objects.filter(pk=snapshot.pk).update(started_at=F("started_at") - lease)
    let_the_visibility_timeout_pass(redis_broker)
    workers.start(SNAPSHOT_TIMEOUT=str(WORKER_SNAPSHOT_TIMEOUT))

    wait_for(
        lambda: Snapshot.objects.get(pk=snapshot.pk).status == "succeeded",
        timeout=90,
        message="the capture retried by the new worker",
    )
    rows = list(Snapshot.objects.filter(source=source))
    assert [(row.pk, row.status, row.attempts) for row in rows] == [(snapshot.pk, "succeeded", 2)]
    assert not Snapshot.objects.filter(status="running").exists()
    assert page.requests == 2
    retried = rows[0]
    assert retried.page_title == TITLE and retried.error == ""
    with retried.warc_file.open("rb") as handle:
        responses = [
            (record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read())
            for record in ArchiveIterator(handle)
            if record.rec_type == "response"
        ]
    assert responses == [(url, BODY)]
    wait_for(lambda: not unacked_tasks(redis_broker), timeout=10, message="the task acknowledged")


def test_a_capture_the_sweeper_finds_interrupted_is_queued_again_at_once(monkeypatch):
    from sources.tasks import capture_snapshot

    queued = []
    monkeypatch.setattr(capture_snapshot, "apply_async", lambda *a, **kw: queued.append(a))
    source = SourceFactory()
    interrupted = Snapshot.objects.create(source=source, status="running", attempts=1)
    Snapshot.objects.filter(pk=interrupted.pk).update(
        started_at=timezone.now() - pipeline.lease() - timedelta(seconds=1)
    )

    services.sweep_stuck()  # beat's sweeper, after the dead worker's lease ran out

    assert source.snapshots.active().exists() and queued  # captured again, not left failed
