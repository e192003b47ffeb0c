"""The analyst's morning starts in the intake inbox (headless Chromium through Playwright).

Two local outlets carry the same story; the analyst opens the inbox from the dashboard, adds
the merged story to today's draft with one key, verifies the new event against the captures
its citations queued, submits; the chief editor approves and publishes it as today's issue.
"""

import datetime

import pytest
from django.utils import timezone

from events.models import Event, Issue
from intake import services
from intake.models import Story

from ..browser import log_in, press, shot
from ..factories import AnalystFactory, ChiefEditorFactory, FeedFactory, IssueFactory
from ..sources.conftest import LocalServer, Reply, html_page

TITLE = "Nvidia ships Blackwell Ultra racks to the largest cloud providers"


def rss(items) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><description>{t}.</description>"
        f"<pubDate>{timezone.now():%a, %d %b %Y %H:%M:%S} +0000</pubDate></item>"
        for t, link in items
    )
    return f"<rss version='2.0'><channel><title>x</title>{body}</channel></rss>".encode()


@pytest.fixture
def outlets(settings):
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = True
    settings.SNAPSHOT_TIMEOUT = 5.0
    server = LocalServer()
    page = html_page(TITLE, "Nvidia said the first racks shipped this week to cloud customers.")
    for path in ("/reuters/nvidia", "/wire/nvidia"):
        server.route(path, Reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"}))
    feeds = {
        "/reuters.xml": [(TITLE, server.url("/reuters/nvidia?utm_source=rss"))],
        "/wire.xml": [(f"{TITLE} - Wire", server.url("/wire/nvidia"))],
    }
    for path, items in feeds.items():
        server.route(path, Reply(200, rss(items), {"Content-Type": "application/rss+xml"}))
    yield server
    server.close()


@pytest.mark.django_db(transaction=True)
def test_inbox_story_added_with_one_key_then_verified_approved_published(
    browser,
    live_server,
    outlets,
    settings,
):
    settings.SITE_URL = live_server.url
    server = outlets
    AnalystFactory(username="analyst")
    ChiefEditorFactory(username="editor")
    today = timezone.localdate()
    issue = IssueFactory(
        date=today, coverage_start=today - datetime.timedelta(days=7), with_conclusions=3
    )
    for path, name in (("/reuters.xml", "Reuters"), ("/wire.xml", "Wire")):
        services.poll(feed=FeedFactory(url=server.url(path), name=name))
    assert Story.objects.count() == 1
    base = live_server.url
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")

    log_in(page, base, "analyst")
    page.click("#dashboard-inbox")
    page.wait_for_load_state()
    assert page.locator(".inbox-story").count() == 1
    assert "2 家来源" in page.locator(".inbox-story").inner_text()
    shot(page, "intake-01-inbox")
    page.keyboard.press("j")
    page.keyboard.press("e")
    page.wait_for_load_state()
    assert "event-1" in page.locator(".messagelist").inner_text()
    shot(page, "intake-02-added")

    event = Event.objects.get(issue=issue)
    assert [c.label for c in event.citations.all()] == ["Reuters", "Wire"]
    page.goto(f"{base}/admin/events/event/{event.pk}/verify/")
    page.check("input[name=outcome][value=verified]")
    page.fill("textarea[name=note]", "已对照两家来源的存档核实。")
    for box in page.locator("input[name=evidence]").all():
        box.check()
    page.locator("form:has(input[name=action][value=verify]) [type=submit]").click()
    page.wait_for_load_state()
    event.refresh_from_db()
    assert event.verification_status in ("verified", "partially_verified")

    page.goto(f"{base}/admin/events/issue/{issue.pk}/change/")
    press(page, "提交审核")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW, page.locator(".messagelist").inner_text()

    log_in(page, base, "editor")
    page.goto(f"{base}/admin/events/issue/{issue.pk}/change/")
    press(page, "批准")
    press(page, "立即发布")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PUBLISHED, page.locator(".messagelist").inner_text()
    page.context.clear_cookies()
    page.goto(f"{base}/")
    assert page.locator("#event-1").count() == 1 and TITLE in page.content()
    shot(page, "intake-03-published")
