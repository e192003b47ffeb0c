"""Our WARC files as the tools of their readers see them: pywb replays them, warcio checks them.

A cited page whose address is not ASCII (a Chinese path, an internationalised host) is requested
and recorded as an RFC 3986 URI, as WARC 1.1 requires; the source keeps its readable address.
"""

import shutil
import socket

import pytest
from warcio.archiveiterator import ArchiveIterator

from sources import archive_reader, fetcher, pipeline
from sources.models import Snapshot, Source

from ..factories import SnapshotFactory, SourceFactory
from .conftest import Reply, html_page
from .replay import get, warcio_check, wayback

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_local")]

PATH = "/中文页面"
PATH_ON_THE_WIRE = "/%E4%B8%AD%E6%96%87%E9%A1%B5%E9%9D%A2"
TEXT = "国产大模型在长文本评测中排名第一。"


def captured(url):
    source = Source.objects.filter(url=url).first() or SourceFactory(url=url)
    snapshot = SnapshotFactory(queued=True, attempts=0, source=source)
    pipeline.capture(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    return snapshot


def chinese_page(server, route=PATH_ON_THE_WIRE):
    body = html_page("中文页面", TEXT).encode("utf-8")
    server.route(route, Reply(200, body, {"Content-Type": "text/html; charset=utf-8"}))


def saved_warc(snapshot, path):
    with archive_reader.open_capture(snapshot) as handle, open(path, "wb") as out:
        shutil.copyfileobj(handle, out)
    return path


def target_uris(path):
    with open(path, "rb") as handle:
        return [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(handle)]


def test_a_chinese_path_is_requested_and_recorded_percent_encoded(server, tmp_path):
    chinese_page(server)
    snapshot = captured(server.url(PATH))

    assert snapshot.status == Snapshot.Status.SUCCEEDED
    assert snapshot.source.url == server.url(PATH)  # the source keeps the readable address
    assert server.requests[0]["path"] == PATH_ON_THE_WIRE
    warc = saved_warc(snapshot, tmp_path / "page.warc.gz")
    assert target_uris(warc) == [server.url(PATH_ON_THE_WIRE)] * 2
    assert all(uri.isascii() for uri in target_uris(warc))
    check = warcio_check(warc)
    assert check.returncode == 0, check.stdout + check.stderr


def test_pywb_replays_a_captured_page_with_a_chinese_path(server, tmp_path):
    chinese_page(server)
    snapshot = captured(server.url(PATH))
    warc = saved_warc(snapshot, tmp_path / "page.warc.gz")

    with wayback(tmp_path, [warc]) as base:
        stamp = f"{snapshot.finished_at:%Y%m%d%H%M%S}"
        status, body = get(f"{base}/aidaily/{stamp}id_/{server.url(PATH_ON_THE_WIRE)}")

    log = (tmp_path / "wayback.log").read_text(errors="replace")
    assert status == 200, body[:500] + log[-2000:]
    assert TEXT in body


def test_an_internationalised_host_is_resolved_and_sent_in_idna(server, tmp_path, monkeypatch):
    looked_up = []

    def resolver(host, port, *args, **kwargs):  # a fake DNS: the name is ours, never looked up
        looked_up.append(host)
        assert host == "xn--fiq228c.example"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(fetcher, "getaddrinfo", resolver)
    chinese_page(server)
    url = f"http://中文.example:{server.port}{PATH}"
    snapshot = captured(url)

    assert snapshot.status == Snapshot.Status.SUCCEEDED, snapshot.error
    assert looked_up == ["xn--fiq228c.example"]
    assert server.requests[0]["headers"]["Host"] == f"xn--fiq228c.example:{server.port}"
    wire = f"http://xn--fiq228c.example:{server.port}{PATH_ON_THE_WIRE}"
    assert target_uris(saved_warc(snapshot, tmp_path / "idna.warc.gz")) == [wire] * 2
    assert snapshot.source.url == url


def test_a_redirect_to_a_raw_utf8_location_is_followed_percent_encoded(server, tmp_path):
    chinese_page(server)
    # http.server writes header values as latin-1; this is how raw UTF-8 bytes are sent.
    raw = server.url(PATH).encode("utf-8").decode("latin-1")
    server.route("/old", Reply(301, b"", {"Location": raw}))
    snapshot = captured(server.url("/old"))

    assert snapshot.status == Snapshot.Status.SUCCEEDED, snapshot.error
    assert [r["path"] for r in server.requests] == ["/old", PATH_ON_THE_WIRE]
    uris = target_uris(saved_warc(snapshot, tmp_path / "redirect.warc.gz"))
    assert uris == [server.url("/old")] * 2 + [server.url(PATH_ON_THE_WIRE)] * 2


def test_the_user_agent_is_ascii_and_names_the_warcinfo_version(server, settings):
    chinese_page(server, "/news")
    captured(server.url("/news"))

    agent = server.requests[0]["headers"]["User-Agent"]
    assert agent.isascii()
    assert agent.startswith(settings.SNAPSHOT_SOFTWARE + " ")


def records(snapshot):
    with archive_reader.open_capture(snapshot) as handle:
        return [(r.rec_type, r.rec_headers) for r in ArchiveIterator(handle)]


def test_an_unchanged_recapture_writes_a_revisit_that_pywb_replays(server, tmp_path):
    chinese_page(server)
    first = captured(server.url(PATH))
    again = captured(server.url(PATH))

    assert again.duplicate_of == first and again.finished_at > first.finished_at
    written = records(again)
    assert [kind for kind, _ in written] == ["response", "request", "revisit", "request"]
    response, revisit = written[0][1], written[2][1]
    assert revisit.get_header("WARC-Profile").endswith("/revisions/identical-payload-digest")
    assert revisit.get_header("WARC-Refers-To") == response.get_header("WARC-Record-ID")
    assert revisit.get_header("WARC-Refers-To-Date") == response.get_header("WARC-Date")
    assert revisit.get_header("WARC-Refers-To-Target-URI") == server.url(PATH_ON_THE_WIRE)
    assert revisit.get_header("WARC-Payload-Digest") == response.get_header("WARC-Payload-Digest")
    assert revisit.get_header("WARC-Date") > response.get_header("WARC-Date")
    warc = saved_warc(again, tmp_path / "again.warc.gz")  # what its download holds
    check = warcio_check(warc)
    assert check.returncode == 0, check.stdout + check.stderr

    with wayback(tmp_path, [warc]) as base:
        stamp = revisit.get_header("WARC-Date")[:19].replace("-", "").replace(":", "")
        status, body = get(
            f"{base}/aidaily/{stamp.replace('T', '')}id_/{server.url(PATH_ON_THE_WIRE)}"
        )
        listed, index = get(f"{base}/aidaily/cdx?url={server.url(PATH_ON_THE_WIRE)}")

    assert status == 200, body[:500]
    assert TEXT in body
    assert listed == 200 and index.count("\n") == 2  # both captures, each at its own time
    assert "warc/revisit" in index
