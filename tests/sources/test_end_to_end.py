"""With a real worker on Redis: citing a source yields a succeeded snapshot with a real WARC."""

import pytest
from warcio.archiveiterator import ArchiveIterator

from sources import services
from sources.models import Snapshot

from ..conftest import wait_for
from ..factories import CitationFactory, SourceFactory
from .conftest import Reply, html_page

pytestmark = pytest.mark.services


@pytest.mark.django_db(transaction=True)
def test_saving_a_citation_gets_its_source_captured_by_a_worker(celery_worker, server):
    body = html_page("Broadcom 与 Google 长期 TPU 协议", "协议覆盖多代 TPU。" * 20).encode()
    url = server.route("/tpu", Reply(200, body, {"Content-Type": "text/html; charset=utf-8"}))
    source = SourceFactory(url=url)

    CitationFactory(source=source)  # committed at once: the receiver queues the capture

    snapshot = wait_for(
        lambda: Snapshot.objects.filter(source=source, status="succeeded").first(),
        timeout=90,
        message="a succeeded snapshot",
    )
    assert snapshot.http_status == 200 and snapshot.attempts == 1
    assert snapshot.page_title == "Broadcom 与 Google 长期 TPU 协议"
    with snapshot.warc_file.open("rb") as handle:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
            for r in ArchiveIterator(handle)
            if r.rec_type in ("request", "response")
        ]
    assert sorted(kind for kind, _url, _payload in records) == ["request", "response"]
    assert all(target == url for _kind, target, _payload in records)
    assert {kind: payload for kind, _url, payload in records}["response"] == body


@pytest.mark.django_db(transaction=True)
def test_a_bulk_capture_is_captured_then_extracted_by_the_worker(celery_worker, server):
    sources = []
    for n in range(3):
        body = html_page(f"Recapture {n}", f"Scheduled recapture number {n}. " * 20).encode()
        url = server.route(f"/bulk/{n}", Reply(200, body, {"Content-Type": "text/html"}))
        sources.append(SourceFactory(url=url))

    snapshots = services.request_captures(sources)  # one capture_snapshots task, then extraction

    done = wait_for(
        lambda: (
            Snapshot.objects.filter(pk__in=[s.pk for s in snapshots], status="succeeded").count()
            == 3
        ),
        timeout=90,
        message="three succeeded snapshots",
    )
    assert done
    titles = Snapshot.objects.filter(pk__in=[s.pk for s in snapshots]).values_list(
        "page_title", flat=True
    )
    assert sorted(titles) == ["Recapture 0", "Recapture 1", "Recapture 2"]
