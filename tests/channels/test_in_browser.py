"""The channels panel and the WeChat copy page in a real browser, on a desk and on a phone."""

import pytest

from channels import services
from channels.models import ChannelDelivery

from ..browser import SCREENSHOTS, log_in
from ..factories import ChiefEditorFactory

S = ChannelDelivery.Status


@pytest.mark.django_db(transaction=True)
def test_panel_and_wechat_copy_fit_desk_and_phone(browser, live_server, published, endpoint):
    editor = ChiefEditorFactory()
    (row,) = services.create_deliveries(published, "publish")
    ChannelDelivery.objects.filter(pk=row.pk).update(status=S.FAILED, last_error="HTTP 503")
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        log_in(page, live_server.url, editor.username)  # clears cookies: language after it
        context.add_cookies(
            [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/admin/events/issue/{published.pk}/change/")
        panel = page.locator(".workflow-panel section.module", has_text="发布渠道")
        assert "HTTP 503" in panel.inner_text()
        panel.locator("text=HTTP 503").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"channels-panel-{width}.png"))

        page.goto(f"{live_server.url}/admin/events/issue/{published.pk}/wechat/")
        assert "参考来源" in page.locator("#wechat-article").inner_text()
        page.click("#wechat-copy")
        page.wait_for_selector("#wechat-copy-status:has-text('已复制')")
        page.screenshot(path=str(SCREENSHOTS / f"channels-wechat-{width}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
