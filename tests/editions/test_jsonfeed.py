"""JSON Feed 1.1 at /feed/json/, checked against the spec's required and typed fields.

No JSON Feed 1.1 validator installs from PyPI: jsonfeedvalidator 0.0.3 holds the version 1
schema, which rejects 1.1's `authors` and `language`; feedparser 6.0 reads no JSON feeds.
"""

import datetime
import json

import pytest
from django.urls import reverse

from events.models import Issue

from ..factories import CorrectionFactory, publishable_issue

pytestmark = pytest.mark.django_db
URL = "/feed/json/"


def rfc3339(value: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def test_the_json_feed_has_the_required_fields_of_version_1_1(client):
    newer = publishable_issue(date=datetime.date(2026, 4, 9), published=True)
    publishable_issue(date=datetime.date(2026, 4, 8), published=True, language="en")
    publishable_issue(date=datetime.date(2026, 4, 10))  # a draft: not in the feed
    CorrectionFactory(issue=newer)

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["feed_url"] == f"http://127.0.0.1:8000{URL}"
    assert feed["home_page_url"] == "http://127.0.0.1:8000/"
    assert all(author.get("name") for author in feed["authors"])
    items = feed["items"]
    assert [item["url"] for item in items] == [
        "http://127.0.0.1:8000/issues/2026-04-09/",
        "http://127.0.0.1:8000/issues/2026-04-08/",
    ]
    for item in items:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert rfc3339(item["date_modified"]) >= rfc3339(item["date_published"])
    assert [item["language"] for item in items] == ["zh-Hans", "en"]
    assert len({item["id"] for item in items}) == len(items)


def test_issue_text_is_escaped_in_the_feed_content(client):
    publishable_issue(
        date=datetime.date(2026, 4, 9),
        published=True,
        title="<script>alert(1)</script>",
        overview="<img src=x onerror=alert(2)> **粗体**",
    )

    item = client.get(URL).json()["items"][0]

    assert "<script>" not in item["content_html"] and "<img" not in item["content_html"]
    assert "&lt;script&gt;alert(1)" in item["content_html"]
    assert "<" not in item["summary"]
    assert item["title"] == "<script>alert(1)</script>"  # JSON data: readers escape it


def test_every_page_names_the_json_feed_in_its_head(client):
    html = client.get(reverse("events:archive")).content.decode()
    assert '<link rel="alternate" type="application/feed+json"' in html
    assert f'href="{URL}"' in html


def test_the_json_feed_costs_the_same_queries_whatever_its_size(client, django_assert_num_queries):
    for day in range(6):
        publishable_issue(
            date=datetime.date(2026, 4, 1) + datetime.timedelta(days=day), published=True, events=2
        )
    # issues + conclusions + corrections + 3 × (items, citations, tags)
    with django_assert_num_queries(12):
        assert client.get(URL).status_code == 200
    assert Issue.objects.published().count() == 6
    assert client.post(URL).status_code == 405
