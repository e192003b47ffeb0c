"""An analyst sees, in a real browser, each figure of an item with its highlighted passage.

The draft of the demo carries a figure its sources do not state; the analyst finds it marked,
opens the archived copy at the passage of a supported figure, and accepts the other by hand.
"""

import pytest

from events.dailyformat.importer import import_bytes
from events.demo.loader import DRAFT, capture_shipped_evidence

from ..browser import log_in, shot
from ..factories import AnalystFactory


@pytest.mark.django_db(transaction=True)
def test_the_analyst_sees_a_claim_with_its_passage_and_accepts_an_unsupported_one(
    browser,
    live_server,
):
    analyst = AnalystFactory(username="analyst")
    capture_shipped_evidence(DRAFT)
    issue = import_bytes(DRAFT.read_bytes(), user=analyst).issue
    event = issue.events.get(rank=1)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    log_in(page, base, "analyst")

    page.goto(f"{base}/admin/events/event/{event.pk}/change/")
    supported = page.locator(".claims-panel tr.claim-row-supported", has_text="2031 年").first
    assert supported.locator("mark").inner_text() == "2031"
    assert "through" in supported.locator("q.claim-passage").inner_text()
    wrong = page.locator(".claims-panel tr.claim-row-unsupported", has_text="超过 3000 亿美元")
    assert wrong.count() == 1
    wrong.scroll_into_view_if_needed()
    shot(page, "claims-item-page")

    link = supported.locator("a.claim-archived").get_attribute("href")
    assert "/page/#:~:text=" in link
    claims_page = page.locator(".claims-panel a.button").get_attribute("href")
    response = page.goto(f"{base}{link}")
    assert response.status == 200
    assert "through 2031" in page.content()

    page.goto(f"{base}{claims_page}")
    row = page.locator("#claims tr", has_text="超过 3000 亿美元")
    row.locator("textarea[name=note]").fill("已与 Anthropic 投资者关系部门核对。")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "人工确认" in page.locator("#claims tr", has_text="超过 3000 亿美元").inner_text()
    assert "已与 Anthropic 投资者关系部门核对。" in page.locator("#claim-log").inner_text()
