"""The archived copy: banner on our origin, the captured page sandboxed, the WARC downloadable."""

import gzip

import pytest
from django.urls import reverse

from sources import pipeline
from sources.models import Snapshot

from ..factories import EventFactory, IssueFactory, SnapshotFactory, SourceFactory, cite
from .conftest import html_page

pytestmark = pytest.mark.django_db

XSS = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


def public(snapshot):
    """Cite the capture's source from a published issue, so any reader may see the copy."""
    cite(EventFactory(issue=IssueFactory(published=True)), snapshot.source, captured=False)
    return snapshot


@pytest.fixture
def captured():
    source = SourceFactory(url="https://example.com/news?id=1", title="")
    body = html_page("Hostile " + XSS, "A page that tries to run script on our origin." * 5)
    return public(
        pipeline.capture_from_bytes(source, body.encode(), content_type="text/html; charset=utf-8")
    )


def test_the_banner_shows_the_original_url_time_hash_and_a_warc_link(client, captured):
    response = client.get(captured.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="https://example.com/news?id=1"' in page
    assert captured.sha256 in page
    assert reverse("sources:snapshot-warc", args=[captured.pk]) in page
    assert f'src="{reverse("sources:snapshot-page", args=[captured.pk])}" sandbox' in page
    assert "<script>alert" not in page  # the hostile title is escaped in the banner
    assert "frame-src 'self'" in response["Content-Security-Policy"]


def test_the_captured_page_is_served_sandboxed_so_its_scripts_never_run_here(client, captured):
    response = client.get(reverse("sources:snapshot-page", args=[captured.pk]))

    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert XSS in body  # served as captured, but...
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;")  # ...in a unique origin, without script
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_capture_claiming_a_scriptable_type_is_served_as_plain_text(client):
    snapshot = public(
        pipeline.capture_from_bytes(
            SourceFactory(), b"<svg onload=alert(1)></svg>", content_type="text/html"
        )
    )
    snapshot.content_type = "image/svg+xml"
    snapshot.save(update_fields=["content_type"])

    response = client.get(reverse("sources:snapshot-page", args=[snapshot.pk]))

    assert response["Content-Type"].startswith("text/plain")


def test_the_warc_downloads_as_an_attachment(client, captured):
    response = client.get(reverse("sources:snapshot-warc", args=[captured.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = b"".join(response.streaming_content)
    assert gzip.decompress(data).startswith(b"WARC/1.1")


def test_a_capture_stored_in_a_file_of_its_own_still_reads_and_downloads_whole(client, captured):
    # Captures stored before batches shared WARC files have no offset: the file is theirs.
    whole = captured.warc_file.read()
    Snapshot.objects.filter(pk=captured.pk).update(warc_offset=None, warc_length=None)

    download = client.get(reverse("sources:snapshot-warc", args=[captured.pk]))
    page = client.get(reverse("sources:snapshot-page", args=[captured.pk]))

    assert b"".join(download.streaming_content) == whole
    assert int(download["Content-Length"]) == len(whole)
    assert "A page that tries to run script" in b"".join(page.streaming_content).decode()


def test_with_a_snapshot_origin_pages_are_framed_from_that_domain_only(client, captured, settings):
    settings.SNAPSHOT_ORIGIN = "https://captures.aidaily.example"
    settings.ALLOWED_HOSTS = ["testserver", "captures.aidaily.example"]

    banner = client.get(captured.get_absolute_url())
    page_path = reverse("sources:snapshot-page", args=[captured.pk])
    assert f'src="https://captures.aidaily.example{page_path}"' in banner.content.decode()
    assert "https://captures.aidaily.example" in banner["Content-Security-Policy"]

    assert client.get(page_path).status_code == 404  # never on the main origin
    elsewhere = client.get(page_path, HTTP_HOST="captures.aidaily.example", secure=True)
    assert elsewhere.status_code == 200


@pytest.mark.parametrize("trait", ["failed", "queued"])
def test_captures_that_did_not_succeed_are_not_shown(client, trait):
    snapshot = public(SnapshotFactory(**{trait: True}))
    assert client.get(snapshot.get_absolute_url()).status_code == 404
    assert client.get(reverse("sources:snapshot-page", args=[snapshot.pk])).status_code == 404


def test_a_snapshot_without_stored_files_says_so_instead_of_failing(client):
    snapshot = public(SnapshotFactory())  # a succeeded row whose files were never stored

    response = client.get(snapshot.get_absolute_url())

    assert response.status_code == 200
    assert "这次抓取没有保存页面文件" in response.content.decode()
    assert client.get(reverse("sources:snapshot-warc", args=[snapshot.pk])).status_code == 404


def test_the_raw_captured_page_tells_search_engines_not_to_index_it(client, captured):
    response = client.get(reverse("sources:snapshot-page", args=[captured.pk]))

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_chinese_address_is_shown_readable_and_not_as_a_redirect(client):
    source = SourceFactory(url="https://中文.example/新闻页面", title="")
    body = html_page("新闻", "正文内容。" * 20).encode()
    snapshot = public(
        pipeline.capture_from_bytes(source, body, content_type="text/html; charset=utf-8")
    )
    assert snapshot.final_url == "https://xn--fiq228c.example/%E6%96%B0%E9%97%BB%E9%A1%B5%E9%9D%A2"

    page = client.get(snapshot.get_absolute_url()).content.decode()

    assert ">https://中文.example/新闻页面</a>" in page
    assert "重定向后的地址" not in page and "xn--" not in page
