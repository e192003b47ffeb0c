"""The digest on a phone: headless Chromium at 390 px scrolls down, never sideways."""

import os
import shutil

import pytest

from events.rendering.email import render_correction, render_email

from ..conftest import missing_service
from ..factories import CorrectionFactory
from .conftest import published, sample_issue

pytestmark = pytest.mark.django_db

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}  # an iPhone 12–15 in CSS pixels


@pytest.fixture
def phone():
    """A Chromium page sized like a phone that can load nothing from the network."""
    if not os.path.exists(CHROMIUM):
        missing_service("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("Playwright is not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport=PHONE, device_scale_factor=3, is_mobile=True)
            page.route("**/*", lambda route: route.abort())
            yield page
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def widths(page, html: str) -> dict:
    page.set_content(html, wait_until="domcontentloaded")
    return page.evaluate(
        """() => ({
            scroll: document.documentElement.scrollWidth,
            widest: Math.max(...[...document.body.querySelectorAll('*')]
                .map(e => e.getBoundingClientRect().right)),
        })"""
    )


@pytest.fixture
def mail_pages():
    """The HTML of the sample digest and of a correction notice, rendered before the browser
    starts (the database is not touched while Playwright's loop runs)."""
    issue = published(sample_issue())
    notice = render_correction(issue, CorrectionFactory(issue=issue, text="金额已更正。"))
    return {"digest": render_email(issue).html, "correction": notice.html}


def test_digest_fits_a_390_px_phone_without_horizontal_scroll(mail_pages, phone):
    for kind, html in mail_pages.items():
        measured = widths(phone, html)
        assert measured["scroll"] <= PHONE["width"], (kind, measured)
        assert measured["widest"] <= PHONE["width"], (kind, measured)
