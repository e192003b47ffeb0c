"""The digest on a phone: headless Chromium at 390 px scrolls down, never sideways."""

import pytest

from events.rendering.email import render_correction, render_email

from ..factories import CorrectionFactory
from .conftest import published, sample_issue

pytestmark = pytest.mark.django_db

PHONE = {"width": 390, "height": 844}  # an iPhone 12–15 in CSS pixels


@pytest.fixture
def phone(browser):
    """A Chromium page sized like a phone that can load nothing from the network."""
    page = browser.new_page(viewport=PHONE, device_scale_factor=3, is_mobile=True)
    page.route("**/*", lambda route: route.abort())
    return page


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
