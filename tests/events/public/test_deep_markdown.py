"""Text stored before the nesting limit existed still renders on every public page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events.content_guard import assembling
from events.models import Conclusion, Correction, Event, Issue

from ...factories import EventFactory, IssueFactory
from ..test_markdown_limits import nested_brackets, nested_list

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    reverse("events:issue", args=["2026-04-08"]),
    reverse("events:feed"),
    reverse("events:feed-rss"),
]


@pytest.fixture
def deep_issue():
    """A published issue whose Markdown nests 300 deep (written around the model validation)."""
    with assembling():
        issue = IssueFactory(
            date=datetime.date(2026, 4, 8),
            status=Issue.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        event = EventFactory(issue=issue, rank=1, title="深层嵌套的一条")
        Conclusion.objects.create(issue=issue, position=1, text="结论")
        Correction.objects.create(issue=issue, text="更正")
        deep = nested_list(300)
        Issue.objects.filter(pk=issue.pk).update(
            overview=deep, business_analysis=">" * 300 + " 引用"
        )
        Event.objects.filter(pk=event.pk).update(
            what_happened=deep, key_facts=nested_brackets(6000)
        )
        Conclusion.objects.filter(issue=issue).update(text=deep)
        Correction.objects.filter(issue=issue).update(text=deep)
    return issue


@pytest.mark.parametrize("url", PAGES)
def test_a_list_nested_three_hundred_deep_is_served_on_every_public_page(client, deep_issue, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "深层嵌套的一条" in page and "第 0 层" in page
