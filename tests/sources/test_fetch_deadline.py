"""The total deadline holds whatever the server does: connect, TLS, headers and body alike.

Each server here sends a first part at once and then drips the rest one byte at a time, each
byte well inside the read timeout, so only the total deadline can end the fetch. The bound is
three times the deadline: generous for a loaded machine, and far below the ten seconds the
servers go on dripping for.
"""

import socket
import threading
import time

import pytest

from sources import fetcher, pipeline
from sources.models import Snapshot

from ..factories import SnapshotFactory, SourceFactory

DEADLINE = 1.0
BOUND = 3 * DEADLINE
DRIP_EVERY = 0.1
DRIP_FOR = 10.0  # how long a server keeps dripping before it gives up (and the fetch ends)

POLICY = fetcher.Policy(
    user_agent="aidaily-test",
    connect_timeout=DEADLINE,
    read_timeout=5.0,  # each byte comes far sooner than this: only the total deadline can end it
    total_timeout=DEADLINE,
    allow_private=True,
)

STATUS = b"HTTP/1.1 200 OK\r\n"
HEAD = STATUS + b"Content-Type: text/html\r\n"
CHUNKED = HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
FIRST_CHUNK = b"20\r\n<html><body>The first chunk.    \r\n"
# A TLS record header announcing a 16 KiB handshake record: the client waits for all of it.
TLS_RECORD = b"\x16\x03\x03\x40\x00"


class DripServer:
    """Sends `prefix` to each client, then one `drip` byte every DRIP_EVERY seconds."""

    def __init__(self, prefix: bytes, drip: bytes = b"X", *, reads_request: bool = True):
        self.prefix, self.drip, self.reads_request = prefix, drip, reads_request
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, scheme="http"):
        return f"{scheme}://127.0.0.1:{self.port}/page"

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn):
        with conn:
            try:
                if self.reads_request:
                    conn.recv(65536)
                conn.sendall(self.prefix)
                ends = time.monotonic() + DRIP_FOR
                while not self.stop.is_set() and time.monotonic() < ends:
                    conn.sendall(self.drip)
                    self.stop.wait(DRIP_EVERY)
            except OSError:
                pass  # the client hung up: what a deadline does

    def close(self):
        self.stop.set()
        self.listener.close()


@pytest.fixture
def drip():
    servers = []

    def start(prefix, drip=b"X", **kwargs):
        servers.append(DripServer(prefix, drip, **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def timed_fetch(url):
    started = time.monotonic()
    try:
        result = fetcher.fetch(url, POLICY)
    except fetcher.FetchError as exc:
        return exc, time.monotonic() - started
    result.close()
    pytest.fail(f"the fetch of {url} succeeded; it should have run out of time")


@pytest.mark.parametrize(
    ("prefix", "dripped"),
    [
        (b"", b"H"),  # the status line itself, a byte at a time
        (HEAD, b"X"),  # a header line that never ends
        (STATUS, b"X-Slow: 1\r\n"),  # endless header lines, each complete
        (CHUNKED, b"0"),  # the first chunk-size line, never finished
    ],
    ids=["status-line", "header-line", "endless-headers", "chunk-size-line"],
)
def test_a_server_dripping_its_answer_fails_the_fetch_at_the_deadline(drip, prefix, dripped):
    server = drip(prefix, dripped)

    error, elapsed = timed_fetch(server.url())

    assert elapsed < BOUND, f"the fetch took {elapsed:.1f} s with a {DEADLINE} s deadline"
    assert error.transient and error.kind == "timeout"
    assert f"{DEADLINE:g} s deadline" in error.message


def test_a_tls_handshake_dripped_a_byte_at_a_time_fails_at_the_deadline(drip):
    server = drip(TLS_RECORD, b"\x00", reads_request=False)

    error, elapsed = timed_fetch(server.url("https"))

    assert elapsed < BOUND, f"the handshake took {elapsed:.1f} s with a {DEADLINE} s deadline"
    assert error.transient and error.kind == "timeout"
    assert f"{DEADLINE:g} s deadline" in error.message


def test_a_body_cut_off_by_the_deadline_keeps_what_arrived_marked_truncated(drip):
    server = drip(CHUNKED + FIRST_CHUNK, b"1")  # the second chunk-size line never ends

    started = time.monotonic()
    result = fetcher.fetch(server.url(), POLICY)
    elapsed = time.monotonic() - started

    try:
        assert elapsed < BOUND, f"the fetch took {elapsed:.1f} s with a {DEADLINE} s deadline"
        assert result.final.truncated == "time"
        assert result.final.decoded_body().read() == FIRST_CHUNK[4:-2]
    finally:
        result.close()


@pytest.mark.django_db
def test_a_capture_of_a_dripping_server_is_retried_later_with_the_deadline_as_reason(
    drip, settings
):
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = True
    settings.SNAPSHOT_TIMEOUT = 0.5  # a read timeout above the drip; four times it is the deadline
    server = drip(HEAD, b"X")
    snapshot = SnapshotFactory(queued=True, attempts=0, source=SourceFactory(url=server.url()))

    started = time.monotonic()
    with pytest.raises(pipeline.RetryLater):
        pipeline.capture(snapshot_id=snapshot.pk)
    elapsed = time.monotonic() - started

    snapshot.refresh_from_db()
    assert elapsed < 3 * 2.0, f"the capture took {elapsed:.1f} s with a 2 s deadline"
    assert snapshot.status == Snapshot.Status.QUEUED and snapshot.error_kind == "timeout"
    assert "did not answer in time" in snapshot.error and "deadline" in snapshot.error
