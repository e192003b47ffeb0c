"""Public pages on a phone, in a real browser: nothing is cut off and no menu word is broken."""

import pytest

from ..browser import SCREENSHOTS
from ..factories import IssueFactory

PHONE_WIDTHS = (360, 390)

# Each menu label must sit on one line box: an inline element broken inside a word has two.
BROKEN_MENU_LABELS = """() => [...document.querySelectorAll(
    '.site-header nav a, .site-name, .language-switch button')]
  .filter((el) => el.getClientRects().length > 1)
  .map((el) => el.textContent.trim())"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_menu_wraps_between_words_and_the_page_fits_a_phone(browser, live_server, language):
    issue = IssueFactory(published=True)
    for width in PHONE_WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800})
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        for path in ("/", "/issues/", issue.get_absolute_url(), "/subscribe/"):
            page.goto(f"{live_server.url}{path}")

            if path == "/":
                page.screenshot(path=str(SCREENSHOTS / f"phone-{language}-{width}.png"))
            assert page.evaluate(BROKEN_MENU_LABELS) == [], (width, path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, path)
        context.close()
