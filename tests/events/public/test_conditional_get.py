"""Rendered public responses (no baked file) answer conditional GETs, and feeds are cached
until the archive changes."""

import pytest

from events import workflow

PATHS = ["/issues/2026-04-08/", "/", "/issues/", "/feed/", "/feed/rss/"]


@pytest.mark.parametrize("path", PATHS)
def test_if_none_match_answers_304(client, sample_issue, path):
    first = client.get(path)
    assert first.status_code == 200 and first["ETag"]
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize("path", PATHS)
def test_if_modified_since_answers_304(client, sample_issue, path):
    first = client.get(path)
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


@pytest.mark.parametrize("header", ['"forged"', "W/garbage", "*, \x00", "x" * 5000])
def test_a_foreign_or_malformed_etag_gets_the_page(client, sample_issue, header):
    response = client.get("/feed/", HTTP_IF_NONE_MATCH=header)
    assert response.status_code in (200, 304)
    if header != "*, \x00":
        assert response.status_code == 200


def test_a_malformed_date_gets_the_page(client, sample_issue):
    assert client.get("/", HTTP_IF_MODIFIED_SINCE="yesterday-ish").status_code == 200


def test_the_feed_is_served_from_cache_after_one_version_query(
    client, sample_issue, django_assert_num_queries
):
    first = client.get("/feed/")
    with django_assert_num_queries(1):
        again = client.get("/feed/")
    assert again.content == first.content


def test_a_correction_changes_the_feed_and_its_etag(
    client, sample_issue, editor, django_capture_on_commit_callbacks
):
    first = client.get("/feed/")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(sample_issue, by=editor, text="第 1 条的估值应为 8520 亿美元。")
    again = client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
