"""Captures of pages served by local HTTP servers: what ends up in the Snapshot row and the WARC."""

import base64
import gzip
import hashlib
import os
import socket
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator

from sources import addresses, archive_reader, fetcher, pipeline
from sources.models import Snapshot
from sources.pipeline.retries import RETRY_MAX_SECONDS

from ..factories import SnapshotFactory, SourceFactory
from .conftest import LocalServer, Reply, html_page
from .samples import CHINESE_TEXT, make_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_local")]


def queued(url, **source_fields):
    return SnapshotFactory(queued=True, attempts=0, source=SourceFactory(url=url, **source_fields))


def run(snapshot):
    pipeline.capture(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    return snapshot


def warc_records(snapshot):
    """The capture's own records: its part of the WARC file its batch shares."""
    with archive_reader.open_capture(snapshot) as handle:
        return [
            (
                record.rec_type,
                record.rec_headers,
                record.http_headers,
                record.content_stream().read(),
            )
            for record in ArchiveIterator(handle)
        ]


def test_utf8_page_is_captured_with_title_text_date_and_a_readable_warc(server):
    body = html_page("OpenAI 发布新模型", "新模型在推理基准上领先。" * 10).encode("utf-8")
    url = server.route("/news", Reply(200, body, {"Content-Type": "text/html; charset=utf-8"}))
    snapshot = run(queued(url, title=""))

    assert snapshot.status == Snapshot.Status.SUCCEEDED
    assert (snapshot.http_status, snapshot.size, snapshot.attempts) == (200, len(body), 1)
    assert snapshot.sha256 == hashlib.sha256(body).hexdigest()
    assert (snapshot.charset, snapshot.charset_source) == ("utf-8", "http")
    assert snapshot.page_title == "OpenAI 发布新模型"
    assert str(snapshot.page_date) == "2026-04-07"
    assert snapshot.language == "zh"
    assert snapshot.ip_address == "127.0.0.1"
    assert "新模型在推理基准上领先" in snapshot.text_file.read().decode("utf-8")
    assert snapshot.source.title == "OpenAI 发布新模型"  # filled in from the page

    records = warc_records(snapshot)
    assert [r[0] for r in records] == ["response", "request"]
    _, response_headers, http_headers, payload = records[0]
    assert payload == body
    assert response_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    digest = base64.b32encode(hashlib.sha256(body).digest()).decode()
    assert response_headers.get_header("WARC-Payload-Digest") == f"sha256:{digest}"
    assert response_headers.get_header("WARC-Truncated") is None
    assert http_headers.get_statuscode() == "200"
    request_line = records[1][2].protocol + " " + records[1][2].statusline
    assert request_line.startswith("GET /news")
    assert "aidaily-archiver" in server.requests[0]["headers"]["User-Agent"]
    # The whole file opens with a warcinfo record, and every block and payload digest in it
    # checks out, for warcio's own checker too.
    path = snapshot.warc_file.path
    with open(path, "rb") as handle:
        assert [r.rec_type for r in ArchiveIterator(handle)] == ["warcinfo", "response", "request"]
    check = subprocess.run(
        [Path(sys.executable).with_name("warcio"), "check", "-v", path],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 3 and "fail" not in check.stdout


def test_gbk_page_without_a_charset_header_comes_out_as_correct_chinese(server):
    body = html_page("人工智能日报", CHINESE_TEXT).encode("gbk")
    url = server.route("/gbk", Reply(200, body, {"Content-Type": "text/html"}))
    snapshot = run(queued(url))

    assert snapshot.status == Snapshot.Status.SUCCEEDED
    assert (snapshot.charset, snapshot.charset_source) == ("gb18030", "detected")
    assert snapshot.page_title == "人工智能日报"
    assert CHINESE_TEXT[:30] in snapshot.text_file.read().decode("utf-8")


@pytest.mark.parametrize(
    ("header", "meta", "expected"),
    [
        ("text/html", "gb2312", ("gb18030", "meta")),
        ("text/html; charset=GBK", "", ("gb18030", "http")),
        ("text/html; charset=utf-8", "", ("gb18030", "detected (http wrong)")),
    ],
)
def test_gb_family_labels_decode_as_gb18030_and_a_misstated_charset_is_overruled(
    server, header, meta, expected
):
    # "珺" and "镕" are outside GB2312: only a GB18030 decoder gets them right.
    text = CHINESE_TEXT + "朱镕基与王珺。"
    body = html_page("中文页面", text, charset_meta=meta).encode("gb18030")
    url = server.route("/page", Reply(200, body, {"Content-Type": header}))
    snapshot = run(queued(url))

    assert (snapshot.charset, snapshot.charset_source) == expected
    assert "朱镕基与王珺" in snapshot.text_file.read().decode("utf-8")


def test_press_release_pdf_is_captured_with_its_text(server):
    body = make_pdf("Broadcom and Google sign a long-term TPU agreement", title="Broadcom PR")
    url = server.route("/release.pdf", Reply(200, body, {"Content-Type": "application/pdf"}))
    snapshot = run(queued(url))

    assert snapshot.status == Snapshot.Status.SUCCEEDED
    assert snapshot.content_type == "application/pdf"
    assert snapshot.page_title == "Broadcom PR"
    assert "long-term TPU agreement" in snapshot.text_file.read().decode("utf-8")


def test_a_pdf_served_as_octet_stream_after_a_blank_line_is_read_as_a_pdf(server):
    # Bug: the fetcher accepted it as a PDF (it skips leading whitespace when sniffing), but
    # extraction looked for "%PDF-" at the very first byte and read the PDF as an HTML page.
    body = b"\r\n" + make_pdf("Capacity agreement signed for the next decade", title="PR")
    url = server.route("/download", Reply(200, body, {"Content-Type": "application/octet-stream"}))
    snapshot = run(queued(url))

    assert snapshot.status == Snapshot.Status.SUCCEEDED
    assert snapshot.charset_source == "pdf" and snapshot.page_title == "PR"
    assert "Capacity agreement signed" in snapshot.text_file.read().decode("utf-8")


def test_capture_files_are_written_with_the_storage_permissions(server, settings):
    settings.FILE_UPLOAD_PERMISSIONS = 0o640
    settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
    page = html_page("Permissions", "A page kept with the site's file modes. " * 5).encode()
    url = server.route("/modes", Reply(200, page, {"Content-Type": "text/html"}))
    snapshot = run(queued(url))

    warc, text = Path(snapshot.warc_file.path), Path(snapshot.text_file.path)
    assert stat.S_IMODE(warc.stat().st_mode) == 0o640
    assert stat.S_IMODE(text.stat().st_mode) == 0o640
    assert stat.S_IMODE(warc.parent.stat().st_mode) == 0o750


def test_a_capture_into_remote_storage_goes_through_the_storage_api(server, settings):
    # Storages without local paths (S3 and the like) get the files through Storage.save.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    page = html_page("Remote", "Kept in a storage that has no local paths. " * 5).encode()
    url = server.route("/remote", Reply(200, page, {"Content-Type": "text/html"}))
    snapshot = run(queued(url))

    assert snapshot.status == Snapshot.Status.SUCCEEDED
    day = snapshot.queued_at.astimezone(UTC)
    assert snapshot.warc_file.name.startswith(f"snapshots/{day:%Y/%m/%d}/{snapshot.pk}-")
    assert snapshot.warc_file.storage.exists(snapshot.warc_file.name)
    assert [r[0] for r in warc_records(snapshot)] == ["response", "request"]
    assert "Kept in a storage" in snapshot.text_file.read().decode("utf-8")


def test_redirect_chain_is_followed_and_every_hop_recorded(server):
    page = html_page("Final", "The page after two redirects." * 5).encode()
    server.route("/old", Reply(301, b"", {"Location": "/older"}))
    server.route("/older", Reply(302, b"moved", {"Location": server.url("/final")}))
    final = server.route("/final", Reply(200, page, {"Content-Type": "text/html"}))
    snapshot = run(queued(server.url("/old")))

    assert snapshot.status == Snapshot.Status.SUCCEEDED
    assert snapshot.final_url == final
    assert [(hop["status"], hop["location"]) for hop in snapshot.redirect_chain] == [
        (301, "/older"),
        (302, final),
    ]
    types = [record[0] for record in warc_records(snapshot)]
    assert types.count("response") == 3 and types.count("request") == 3


def test_more_than_five_redirects_fail_with_a_message(server):
    for hop in range(7):
        server.route(f"/r{hop}", Reply(302, b"", {"Location": f"/r{hop + 1}"}))
    snapshot = run(queued(server.url("/r0")))

    assert snapshot.status == Snapshot.Status.FAILED
    assert "more than 5 redirects" in snapshot.error and snapshot.error_kind == "redirects"


def test_redirect_to_a_private_address_is_refused(server, settings, monkeypatch):
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = False  # the address check is on for this test
    inside = LocalServer(host="127.0.0.2")
    try:
        inside.route(
            "/admin", Reply(200, b"<html>router admin</html>", {"Content-Type": "text/html"})
        )
        redirect = f"http://intranet.example:{inside.port}/admin"
        server.route("/story", Reply(302, b"", {"Location": redirect}))
        names = {"news.example": "127.0.0.1", "intranet.example": "127.0.0.2"}

        def resolver(host, port, *args, **kwargs):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names[host], port))]

        monkeypatch.setattr(fetcher, "getaddrinfo", resolver)
        # news.example stands for a public site: only its (test) address is let through.
        real_reason = addresses.refusal_reason
        monkeypatch.setattr(
            addresses, "refusal_reason", lambda a: None if str(a) == "127.0.0.1" else real_reason(a)
        )
        snapshot = run(queued(f"http://news.example:{server.port}/story"))
    finally:
        inside.close()

    assert snapshot.status == Snapshot.Status.FAILED
    assert "intranet.example resolves to a refused address: 127.0.0.2 is loopback" in snapshot.error
    assert snapshot.redirect_chain[0]["status"] == 302
    assert len(server.requests) == 1 and inside.requests == []
    assert not snapshot.warc_file


def test_404_fails_at_once_with_a_clear_message(server):
    snapshot = run(queued(server.url("/gone")))

    assert snapshot.status == Snapshot.Status.FAILED
    assert (snapshot.http_status, snapshot.attempts) == (404, 1)
    assert "HTTP 404" in snapshot.error and snapshot.error_kind == "client_error"
    assert snapshot.finished_at is not None and not snapshot.warc_file


def test_500_then_200_is_retried_with_backoff_and_then_succeeds(server):
    replies = iter(
        [
            Reply(500, b"oops", {"Content-Type": "text/html"}),
            Reply(
                200,
                html_page("Back", "The server recovered." * 5).encode(),
                {"Content-Type": "text/html"},
            ),
        ]
    )
    url = server.route("/flaky", lambda: next(replies))
    snapshot = queued(url)

    with pytest.raises(pipeline.RetryLater) as retry:
        pipeline.capture(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.QUEUED
    assert "HTTP 500" in snapshot.error and snapshot.http_status == 500
    assert snapshot.error_kind == "server_error"
    assert 30 <= retry.value.delay <= 60  # first backoff step, with jitter
    assert snapshot.retry_at > timezone.now()
    with pytest.raises(pipeline.RetryLater, match="not due yet"):
        pipeline.capture(snapshot_id=snapshot.pk)  # a task delivered early waits on

    with time_machine.travel(snapshot.retry_at + timedelta(seconds=1)):
        snapshot = run(snapshot)
    assert snapshot.status == Snapshot.Status.SUCCEEDED
    assert (snapshot.attempts, snapshot.error, snapshot.http_status) == (2, "", 200)
    assert snapshot.error_kind == ""  # the failure before the success is over


def test_files_are_filed_under_the_day_the_capture_was_asked_for(server):
    # Asked for just before midnight (UTC), failed, captured after it: one directory still
    # holds the WARC and the text, under the day the row was queued.
    page = html_page("Late", "Filed under the day it was asked for. " * 20).encode()
    pages = iter([Reply(503, b"busy"), Reply(200, page, {"Content-Type": "text/html"})])
    url = server.route("/late", lambda: next(pages))
    with time_machine.travel(datetime(2026, 4, 7, 23, 59, 30, tzinfo=UTC), tick=False):
        snapshot = queued(url)
        with pytest.raises(pipeline.RetryLater):
            pipeline.capture(snapshot_id=snapshot.pk)
    with time_machine.travel(datetime(2026, 4, 8, 0, 30, tzinfo=UTC), tick=False):
        snapshot = run(snapshot)

    assert snapshot.status == Snapshot.Status.SUCCEEDED
    assert snapshot.warc_file.name.startswith(f"snapshots/2026/04/07/{snapshot.pk}-")
    assert snapshot.text_file.name == f"snapshots/2026/04/07/{snapshot.pk}.txt"


def test_429_waits_as_long_as_retry_after_says(server):
    url = server.route("/busy", Reply(429, b"slow down", {"Retry-After": "120"}))
    snapshot = queued(url)

    with pytest.raises(pipeline.RetryLater) as retry:
        pipeline.capture(snapshot_id=snapshot.pk)

    assert retry.value.delay == 120
    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.QUEUED and snapshot.http_status == 429
    assert timedelta(seconds=110) < snapshot.retry_at - timezone.now() <= timedelta(seconds=120)


def test_a_retry_after_longer_than_the_broker_holds_a_task_is_served_in_steps(server):
    url = server.route("/later", Reply(503, b"", {"Retry-After": "7200"}))
    snapshot = queued(url)

    with pytest.raises(pipeline.RetryLater) as retry:
        pipeline.capture(snapshot_id=snapshot.pk)
    assert retry.value.delay == RETRY_MAX_SECONDS

    with (
        time_machine.travel(timezone.now() + timedelta(seconds=RETRY_MAX_SECONDS)),
        pytest.raises(pipeline.RetryLater) as again,
    ):
        pipeline.capture(snapshot_id=snapshot.pk)
    assert 7200 - RETRY_MAX_SECONDS - 60 < again.value.delay <= 7200
    assert len(server.requests) == 1  # the site was not asked again before it said


def test_transient_failures_give_up_after_24_hours(server):
    url = server.route("/down", Reply(503, b"down"))
    snapshot = queued(url)
    Snapshot.objects.filter(pk=snapshot.pk).update(queued_at=timezone.now() - timedelta(hours=24))

    snapshot = run(snapshot)

    assert snapshot.status == Snapshot.Status.FAILED
    assert "gave up after 24 hours" in snapshot.error


def test_a_page_slower_than_the_deadline_is_retried_later(server, settings):
    settings.SNAPSHOT_TIMEOUT = 0.5
    url = server.route(
        "/slow", Reply(200, b"<html>late</html>", {"Content-Type": "text/html"}, delay=2)
    )
    snapshot = queued(url)

    with pytest.raises(pipeline.RetryLater):
        pipeline.capture(snapshot_id=snapshot.pk)

    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.QUEUED
    assert "did not answer in time" in snapshot.error and snapshot.error_kind == "timeout"


def test_a_body_over_the_cap_is_kept_up_to_the_cap_and_marked_truncated(server, settings):
    settings.SNAPSHOT_MAX_BYTES = 100_000
    body = html_page("Huge", "x" * 400_000).encode()
    url = server.route("/huge", Reply(200, body, {"Content-Type": "text/html"}))
    snapshot = run(queued(url))

    assert snapshot.status == Snapshot.Status.SUCCEEDED
    assert snapshot.truncated and snapshot.size == 100_000
    response = warc_records(snapshot)[0]
    assert response[1].get_header("WARC-Truncated") == "length"
    assert response[3] == body[:100_000]


def test_a_gzip_bomb_stops_at_the_decompressed_cap(server, settings):
    settings.SNAPSHOT_MAX_BYTES = 1_000_000
    bomb = gzip.compress(b"<html><body>" + b"A" * 64_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    url = server.route(
        "/bomb", Reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    )
    snapshot = run(queued(url))

    assert snapshot.truncated  # 64 MB would have come out of ~64 KB: stopped at 1 MB
    assert len(snapshot.text_file.read()) <= 1_000_000
    response = warc_records(snapshot)[0]
    assert response[1].get_header("WARC-Truncated") == "length"
    assert response[2].get_header("Content-Encoding") == "gzip"  # raw bytes as received
    with archive_reader.open_capture(snapshot) as handle:
        raw = next(r for r in ArchiveIterator(handle) if r.rec_type == "response").raw_stream.read()
    assert bomb.startswith(raw)


@pytest.mark.parametrize(
    "content_type", ["application/octet-stream", "application/zip", "image/png", ""]
)
def test_a_binary_file_fails_at_once_as_unsupported_content(server, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    url = server.route("/file.bin", Reply(200, os.urandom(50_000), headers))
    snapshot = run(queued(url))

    assert snapshot.status == Snapshot.Status.FAILED
    assert "unsupported content type" in snapshot.error and snapshot.error_kind == "unsupported"
    assert snapshot.attempts == 1 and not snapshot.warc_file


def test_a_refused_address_fails_at_once_without_retrying(settings):
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = False
    snapshot = run(queued("http://169.254.169.254/latest/meta-data/"))

    assert snapshot.status == Snapshot.Status.FAILED
    assert "link-local" in snapshot.error and snapshot.error_kind == "refused"
