"""The issue page and the archive list cost the same number of queries whatever their size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import workflow
from events.content_guard import assembling

from ...factories import CorrectionFactory, TagFactory, publishable_issue

pytestmark = pytest.mark.django_db


def published_issue_with(items_per_section, *, date):
    issue = publishable_issue(
        events=items_per_section,
        signals=items_per_section,
        papers=items_per_section,
        date=date,
        status="published",
        published_at=datetime.datetime(2026, 4, 8, tzinfo=datetime.UTC),
    )
    with assembling():  # tagged as built, not edited after publication
        for event in issue.events.all():
            event.tags.add(TagFactory(name="OpenAI", slug="openai"), TagFactory())
    CorrectionFactory(issue=issue)
    return issue


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("total_items", [5, 20, 50])
def test_issue_page_query_count_is_fixed(client, total_items, django_assert_num_queries):
    # 5, 20 and 50 items: split across the three sections, two sources each.
    per_section = {5: 2, 20: 7, 50: 17}[total_items]
    issue = published_issue_with(per_section, date=datetime.date(2026, 4, 8))
    url = reverse("events:issue", args=[issue.date.isoformat()])
    # 1 version row + 1 issue + conclusions + corrections + 3 × (items, citations, tags)
    # + the files on offer (the PDF and share card, contributed by the editions app)
    with django_assert_num_queries(14):
        response = client.get(url)
    assert response.content.decode().count('class="item ') == per_section * 3


@pytest.mark.parametrize("issues", [10, 200])
def test_archive_list_query_count_is_fixed(client, issues, django_assert_num_queries):
    start = datetime.date(2020, 1, 1)
    for day in range(issues):
        publishable_issue(
            events=2,
            signals=0,
            papers=0,
            date=start + datetime.timedelta(days=day),
            status="published",
            published_at=datetime.datetime(2026, 4, 8, tzinfo=datetime.UTC),
        )
    # the archive's version + count + page + top events + the tag choices of the filter form
    with django_assert_num_queries(5):
        response = client.get(reverse("events:archive"))
    assert response.status_code == 200
    with django_assert_num_queries(1):  # then only the version: the page comes from cache
        again = client.get(reverse("events:archive"))
    assert again.content == response.content


def test_the_cached_archive_shows_a_publication_a_withdrawal_and_a_correction_at_once(client):
    url = reverse("events:archive")
    first = publishable_issue(date=datetime.date(2026, 4, 7), published=True)
    assert "2026-04-07" in client.get(url).content.decode()

    second = publishable_issue(date=datetime.date(2026, 4, 8), published=True)
    assert "2026-04-08" in client.get(url).content.decode()

    CorrectionFactory(issue=second)
    assert client.get(url).content.decode().count('class="badge"') == 1

    workflow.perform(first, "withdraw", by=None, comment="撤回")
    page = client.get(url).content.decode()
    assert "2026-04-07" not in page and "2026-04-08" in page


def test_filtered_archive_query_count_is_fixed(client, django_assert_num_queries):
    tag = TagFactory(name="算力", slug="compute")
    for day in range(12):
        issue = publishable_issue(
            events=1,
            signals=0,
            papers=0,
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
            status="published",
            published_at=datetime.datetime(2026, 4, 8, tzinfo=datetime.UTC),
        )
        with assembling():
            issue.events.get().tags.add(tag)
    with django_assert_num_queries(6):  # + the tag lookup of the filter value
        client.get(reverse("events:archive"), {"tag": "compute", "section": "event"})
