import datetime

import feedparser
import pytest
from django.urls import reverse

from ...factories import IssueFactory

pytestmark = pytest.mark.django_db


def test_atom_feed_parses_and_carries_the_full_issue(client, sample_issue):
    response = client.get(reverse("events:feed"))
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert response["Content-Type"].startswith("application/atom+xml")
    entry = feed.entries[0]
    assert entry.title == "AI前沿发展日报 | 2026-04-08"
    assert entry.link.endswith("/issues/2026-04-08/")
    content = entry.content[0].value
    assert "ARC-AGI-3" in content and "可信来源" in content
    assert "http://127.0.0.1:8000/snapshots/" in content


def test_rss_feed_parses_and_carries_the_full_issue(client, sample_issue):
    feed = feedparser.parse(client.get(reverse("events:feed-rss")).content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert "AgentHazard" in feed.entries[0].summary


def test_feeds_leave_out_drafts(client, sample_issue):
    IssueFactory(title="草稿不应出现")
    for name in ("events:feed", "events:feed-rss"):
        assert "草稿不应出现" not in client.get(reverse(name)).content.decode()


def test_sitemap_lists_published_issues_only(client, sample_issue):
    IssueFactory(date=datetime.date(2026, 4, 20))
    xml = client.get("/sitemap.xml").content.decode()
    assert "/issues/2026-04-08/" in xml
    assert "/issues/2026-04-20/" not in xml


def test_robots_txt_points_at_the_sitemap_and_keeps_previews_out(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text
    assert "Disallow: /preview/" in text


@pytest.mark.parametrize("url", ["/", "/issues/", "/issues/2026-04-08/", "/search/?q=TPU"])
def test_public_pages_send_a_strict_content_security_policy(client, sample_issue, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_public_pages_have_no_inline_script_or_style(client, sample_issue):
    html = client.get("/issues/2026-04-08/").content.decode()
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert html.count("<script") == html.count('<script type="application/ld+json">')


def test_empty_site_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "还没有已发布的日报" in response.content.decode()
