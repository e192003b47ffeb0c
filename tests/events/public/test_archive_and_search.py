import datetime

import pytest
from django.urls import reverse

from ...factories import CorrectionFactory, IssueFactory, publishable_issue
from .sample import build_sample_issue

pytestmark = pytest.mark.django_db


def archive(client, **params):
    response = client.get(reverse("events:archive"), params)
    assert response.status_code == 200
    return response.content.decode()


def older_issue():
    return publishable_issue(
        date=datetime.date(2026, 3, 1),
        status="published",
        published_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    )


def test_archive_lists_published_issues_with_their_top_events(client, sample_issue):
    IssueFactory(date=datetime.date(2026, 4, 9))  # a draft never appears
    html = archive(client)
    assert "AI前沿发展日报 | 2026-04-08" in html
    assert "2026-04-09" not in html
    assert "Anthropic 联合 Google、Broadcom 锁定多吉瓦级下一代 TPU" in html
    assert "3 条大事件 · 2 条观点 · 2 篇论文" in html


def test_archive_filters_by_date_range(client, sample_issue):
    older_issue()
    html = archive(client, date_after="2026-04-01", date_before="2026-04-30")
    assert "2026-04-08" in html
    assert "2026-03-01" not in html


def test_archive_filters_by_organisation_tag(client, sample_issue):
    older_issue()
    assert "主题 · Anthropic" in archive(client)  # the filter names each tag's kind
    html = archive(client, tag="anthropic")
    assert "2026-04-08" in html
    assert "2026-03-01" not in html


def test_archive_filters_corrected_issues(client, sample_issue):
    older_issue()
    CorrectionFactory(issue=sample_issue)
    html = archive(client, corrected="true")
    assert "2026-04-08" in html and "有更正" in html
    assert "2026-03-01" not in html


def test_archive_with_a_bogus_filter_value_still_answers(client, sample_issue):
    html = archive(client, tag="<script>alert(1)</script>", date_after="yesterday", page="999")
    assert "<script>alert(1)</script>" not in html


def test_archive_paginates(client):
    for day in range(35):
        IssueFactory(
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=day),
            status="published",
            published_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        )
    first = archive(client)
    second = archive(client, page=2)
    assert "2025-02-04" in first and "2025-01-01" not in first
    assert "2025-01-01" in second


def search(client, query):
    response = client.get(reverse("events:search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_chinese_substrings_with_highlight(client, sample_issue):
    html = search(client, "算力")
    assert "<mark>算力</mark>" in html
    assert "大事件" in html and "结论" in html
    assert "/issues/2026-04-08/#event-2" in html


def test_search_finds_latin_terms_case_insensitively(client, sample_issue):
    html = search(client, "tpu")
    assert "/issues/2026-04-08/#event-2" in html
    assert "<mark>TPU</mark>" in html


def test_search_finds_organisations_across_sections(client, sample_issue):
    html = search(client, "Anthropic")
    assert "/issues/2026-04-08/#event-2" in html
    assert "<mark>Anthropic</mark>" in html


def test_search_ignores_unpublished_issues(client):
    build_sample_issue(status="draft", date=datetime.date(2026, 4, 10))
    html = search(client, "Anthropic")
    assert "2026-04-10" not in html
    assert "找到 0 条结果" in html


def test_search_requires_every_word(client, sample_issue):
    assert "#event-2" in search(client, "Anthropic 算力")
    assert "#event-2" not in search(client, "Anthropic 不存在的词")


def test_search_escapes_the_query_everywhere(client, sample_issue):
    html = search(client, '"><script>alert(1)</script>')
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_oversized_search_query_is_cut_not_an_error(client, sample_issue):
    assert search(client, "算力" * 5000).count("<mark>") <= 200
