"""A capture of a gzip bomb keeps its few compressed bytes; nothing reads it back past the cap.

The WARC holds the body as received, compressed: the fetcher stops at SNAPSHOT_MAX_BYTES of
decompressed bytes, but the last compressed chunk it stored may unpack to far more. The archived
page, the text extraction and the WARC download each read that record back, and none may give
out (or hold in memory) more than the cap.
"""

import functools
import gzip
import tracemalloc
import zlib

import pytest
from django.urls import reverse

from sources import archive_reader, pipeline
from sources.models import Snapshot

from ..factories import AnalystFactory, SnapshotFactory, SourceFactory
from .conftest import Reply

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_local")]

CAP = 1_000_000
UNPACKED = 64_000_000


@functools.cache
def gzip_bomb() -> bytes:
    return gzip.compress(b"<html><body>" + b"A" * UNPACKED, compresslevel=9)


@pytest.fixture
def bomb_capture(server, settings):
    """A page whose ~62 KB gzip body unpacks to 64 MB, captured with a 1 MB cap."""
    settings.SNAPSHOT_MAX_BYTES = CAP
    bomb = gzip_bomb()
    url = server.route(
        "/bomb", Reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    )
    snapshot = SnapshotFactory(queued=True, attempts=0, source=SourceFactory(url=url))
    pipeline.capture(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.SUCCEEDED and snapshot.truncated
    return snapshot


@pytest.fixture
def staff_client(client):
    client.force_login(AnalystFactory())
    return client


def streamed(response, *, stop_after: int) -> int:
    """How many bytes the response streams, reading no further than `stop_after`."""
    total = 0
    for chunk in response.streaming_content:
        total += len(chunk)
        if total > stop_after:
            break
    response.close()
    return total


def test_the_archived_page_of_a_gzip_bomb_is_served_no_larger_than_the_cap(
    staff_client, bomb_capture
):
    response = staff_client.get(reverse("sources:snapshot-page", args=[bomb_capture.pk]))

    assert response.status_code == 200
    served = streamed(response, stop_after=2 * CAP)
    assert 0 < served <= CAP
    assert not response.has_header("Content-Encoding")  # decoded once, by us, up to the cap


def serve_page(client, snapshot):
    response = client.get(reverse("sources:snapshot-page", args=[snapshot.pk]))
    streamed(response, stop_after=2 * CAP)


def read_for_extraction(client, snapshot):
    archive_reader.page_body(snapshot, limit=CAP, pdf_limit=CAP).close()


@pytest.mark.parametrize("read_back", [serve_page, read_for_extraction], ids=["page", "text"])
def test_reading_a_gzip_bomb_back_never_holds_much_more_than_a_chunk_in_memory(
    staff_client, bomb_capture, read_back
):
    tracemalloc.start()
    try:
        read_back(staff_client, bomb_capture)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Decompressing a whole 16 KB block of this bomb at once takes about 16 MB.
    assert peak < 4_000_000, f"reading the capture back took {peak / 1e6:.1f} MB"


def test_extraction_reads_a_gzip_bomb_back_only_up_to_the_cap(bomb_capture):
    with archive_reader.page_body(bomb_capture, limit=CAP, pdf_limit=CAP) as body:
        assert len(body.read()) == CAP

    assert 0 < len(bomb_capture.text_file.read()) <= CAP


def test_the_warc_download_of_a_gzip_bomb_is_the_stored_compressed_bytes(
    staff_client, bomb_capture
):
    response = staff_client.get(reverse("sources:snapshot-warc", args=[bomb_capture.pk]))

    data = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert len(data) == int(response["Content-Length"]) == bomb_capture.warc_length
    assert len(data) < CAP  # the compressed records, never the page unpacked
    assert not response.has_header("Content-Encoding")  # a browser must not unpack it either


def test_a_body_that_lies_about_its_encoding_is_served_as_stored(staff_client, server):
    body = b"<html><body>Not gzip at all, whatever the header says.</body></html>"
    url = server.route(
        "/liar", Reply(200, body, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    )
    snapshot = SnapshotFactory(queued=True, attempts=0, source=SourceFactory(url=url))
    pipeline.capture(snapshot_id=snapshot.pk)

    response = staff_client.get(reverse("sources:snapshot-page", args=[snapshot.pk]))

    assert b"".join(response.streaming_content) == body


def test_a_deflate_body_is_served_decoded(staff_client, server):
    body = b"<html><body>" + b"Deflated text. " * 200 + b"</body></html>"
    url = server.route(
        "/deflate",
        Reply(
            200, zlib.compress(body), {"Content-Type": "text/html", "Content-Encoding": "deflate"}
        ),
    )
    snapshot = SnapshotFactory(queued=True, attempts=0, source=SourceFactory(url=url))
    pipeline.capture(snapshot_id=snapshot.pk)

    response = staff_client.get(reverse("sources:snapshot-page", args=[snapshot.pk]))

    assert b"".join(response.streaming_content) == body
