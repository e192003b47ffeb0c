"""The Atom summary is the overview as sanitised HTML, never its Markdown source."""

import datetime

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from ...factories import IssueFactory
from .test_xss import PAYLOADS, assert_safe

pytestmark = pytest.mark.django_db


def atom_summary(client) -> str:
    """The HTML a feed reader renders as the first entry's summary, exactly as sent."""
    feed = feedparser.parse(client.get(reverse("events:feed")).content, sanitize_html=False)
    assert feed.bozo == 0, feed.get("bozo_exception")
    summary = feed.entries[0].summary_detail
    assert summary.type == "text/html"
    return summary.value


def published(overview):
    return IssueFactory(
        date=datetime.date(2026, 4, 8),
        overview=overview,
        status="published",
        published_at=timezone.now(),
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_atom_summary_carries_no_script_handler_or_hostile_link(client, payload):
    published(f"总览开头。{payload}")
    summary = atom_summary(client)
    assert_safe(summary, payload)  # no script, no on* attribute, no javascript:/data: link
    assert "<script" not in summary.lower() and "<img" not in summary.lower()
    assert summary.startswith("<p>总览开头。")  # rendered, not the source


def test_atom_summary_is_the_rendered_overview_not_its_markdown(client):
    published("**加粗** 与 [点我](javascript:alert(1)) 和 [来源](https://example.org/a)")
    summary = atom_summary(client)
    assert "<strong>加粗</strong>" in summary
    assert '<a href="https://example.org/a" rel="noopener nofollow">来源</a>' in summary
    assert "**" not in summary and "javascript:" not in summary and "](" not in summary
