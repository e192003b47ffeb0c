"""An editor's whole morning in a real browser (headless Chromium through Playwright).

The analyst imports the sample issue, verifies each item with evidence and submits it; the chief
editor approves and publishes; the public page shows the issue and the digest reaches a local SMTP
server. Screenshots of each step are saved under var/e2e/ (the editors' guide uses them); the
browser fixture is tests/browser.py's.
"""

import pytest
from django.utils import timezone

from events.demo.loader import SAMPLE, capture_shipped_evidence
from events.models import Issue
from newsletter.models import Subscriber

from ..browser import log_in, press, shot
from ..conftest import wait_for
from ..factories import AnalystFactory, ChiefEditorFactory


@pytest.mark.django_db(transaction=True)
def test_import_verify_submit_approve_publish_read_and_receive(
    browser, live_server, smtp_server, settings
):
    settings.SITE_URL = live_server.url
    AnalystFactory(username="analyst")
    ChiefEditorFactory(username="editor")
    Subscriber.objects.create(
        email="reader@example.com", status=Subscriber.Status.ACTIVE, confirmed_at=timezone.now()
    )
    capture_shipped_evidence(SAMPLE)  # what the workers would have captured, without internet
    base = live_server.url
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")

    # The analyst imports the day's file as a draft.
    log_in(page, base, "analyst")
    shot(page, "01-dashboard")
    page.goto(f"{base}/admin/events/issue/import/")
    page.set_input_files("input[type=file]", str(SAMPLE))
    shot(page, "02-import")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    issue = Issue.objects.get()
    assert issue.status == Issue.Status.DRAFT
    shot(page, "03-imported-draft")

    # Each item is verified with the captured evidence.
    for item in issue.items():
        page.goto(f"{base}/admin/events/{item._meta.model_name}/{item.pk}/verify/")
        page.check("input[name=outcome][value=verified]")
        if not page.input_value("textarea[name=note]"):
            page.fill("textarea[name=note]", "已对照存档的原始来源核实。")
        for box in page.locator("input[name=evidence]").all():
            box.check()
        if item.rank == 1 and item.section == "event":
            shot(page, "04-verify-item")
        page.locator("form:has(input[name=action][value=verify]) [type=submit]").click()
        page.wait_for_load_state()
        item.refresh_from_db()
        if item.verification_status != "verified":
            # An honest partial verification when the rules ask for more than one source.
            page.check("input[name=outcome][value=partially_verified]")
            for box in page.locator("input[name=evidence]").all():
                box.check()
            page.locator("form:has(input[name=action][value=verify]) [type=submit]").click()
            page.wait_for_load_state()
            item.refresh_from_db()
        assert item.verification_status in ("verified", "partially_verified"), item

    page.goto(f"{base}/admin/events/issue/{issue.pk}/change/")
    press(page, "提交审核")
    shot(page, "05-submitted")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW

    # The chief editor approves and publishes.
    log_in(page, base, "editor")
    page.goto(f"{base}/admin/events/issue/{issue.pk}/change/")
    shot(page, "06-review")
    press(page, "批准")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.APPROVED, page.locator(".messagelist").inner_text()
    press(page, "立即发布")
    shot(page, "07-published-admin")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PUBLISHED, page.locator(".messagelist").inner_text()

    # A reader sees it on the public site.
    page.context.clear_cookies()
    page.goto(f"{base}/")
    assert "2026-04-08" in page.title() or "2026-04-08" in page.content()
    assert page.locator("#event-1").count() == 1
    assert page.locator("#paper-3").count() == 1
    shot(page, "08-public-issue")
    page.set_viewport_size({"width": 360, "height": 800})
    shot(page, "09-public-issue-phone")

    # And the digest reached the SMTP server, once.
    wait_for(
        lambda: "reader@example.com" in smtp_server.recipients,
        timeout=60,
        message="the digest",
    )
    assert smtp_server.recipients.count("reader@example.com") == 1
