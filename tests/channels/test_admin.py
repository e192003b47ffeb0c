"""The channels on the issue page: each channel's state, the chief editor's retry, WeChat copy."""

import pytest
from django.urls import reverse

from channels import services
from channels.models import ChannelDelivery, WebhookEndpoint

S = ChannelDelivery.Status


def change_page(issue):
    return reverse("admin:events_issue_change", args=[issue.pk])


def retry_url(delivery):
    return reverse("admin:events_issue_channel_retry", args=[delivery.issue_id, delivery.pk])


@pytest.fixture
def failed(published, endpoint):
    (row,) = services.create_deliveries(published, "publish")
    ChannelDelivery.objects.filter(pk=row.pk).update(
        status=S.FAILED, attempts=6, last_error="HTTP 503"
    )
    return row


def test_panel_shows_each_channel_with_its_state_and_reason(editor_client, failed, settings):
    settings.FEISHU_WEBHOOK_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/x"
    page = editor_client.get(change_page(failed.issue)).content.decode()
    assert "发布渠道" in page
    assert "Webhook" in page and "CRM" in page and "失败" in page and "HTTP 503" in page
    assert "飞书群机器人" in page and "还没有发送" in page
    assert retry_url(failed) in page


def test_chief_editor_retry_sends_again(
    editor_client, failed, endpoint_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(retry_url(failed))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == S.SENT
    assert len(endpoint_server.requests) == 1


def test_analyst_gets_403_on_retry_and_sees_no_button(analyst_client, failed, endpoint_server):
    assert analyst_client.post(retry_url(failed)).status_code == 403
    failed.refresh_from_db()
    assert failed.status == S.FAILED and endpoint_server.requests == []
    assert retry_url(failed) not in analyst_client.get(change_page(failed.issue)).content.decode()


def test_retry_is_post_only_and_only_for_failed_or_uncertain(editor_client, failed):
    assert editor_client.get(retry_url(failed)).status_code == 405
    ChannelDelivery.objects.filter(pk=failed.pk).update(status=S.SENT)
    editor_client.post(retry_url(failed))
    failed.refresh_from_db()
    assert failed.status == S.SENT


def test_retry_of_another_issue_s_delivery_is_404(editor_client, failed):
    from ..factories import IssueFactory

    other = IssueFactory()
    url = reverse("admin:events_issue_channel_retry", args=[other.pk, failed.pk])
    assert editor_client.post(url).status_code == 404


def test_wechat_copy_page_shows_the_article_and_its_source(editor_client, published):
    title = "<script>alert(1)</script>" + "长" * 15  # 40 characters: over WeChat's 32
    type(published).objects.filter(pk=published.pk).update(title=title)
    url = reverse("admin:events_issue_wechat", args=[published.pk])
    assert url in editor_client.get(change_page(published)).content.decode()
    page = editor_client.get(url).content.decode()
    assert "复制文章" in page and "参考来源" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "channels/copy.js" in page
    assert "微信标题有 40 个字" in page


def test_analyst_may_read_the_wechat_copy(analyst_client, published):
    url = reverse("admin:events_issue_wechat", args=[published.pk])
    assert analyst_client.get(url).status_code == 200


def test_endpoint_admin_shows_its_delivery_log(editor_client, failed):
    url = reverse("admin:channels_webhookendpoint_change", args=[failed.endpoint_id])
    page = editor_client.get(url).content.decode()
    assert "投递记录" in page and "HTTP 503" in page


def test_endpoint_admin_refuses_a_private_address(editor_client, db, settings):
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = False
    url = reverse("admin:channels_webhookendpoint_add")
    response = editor_client.post(
        url,
        {
            "name": "x",
            "url": "http://192.168.1.1/hook",
            "secret": "s",
            "active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "不能用作 Webhook" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_analyst_cannot_manage_endpoints(analyst_client, db):
    assert analyst_client.get(reverse("admin:channels_webhookendpoint_add")).status_code == 403


def test_a_platform_s_reason_is_shown_as_text(editor_client, failed):
    ChannelDelivery.objects.filter(pk=failed.pk).update(last_error="<script>alert(1)</script>")
    page = editor_client.get(change_page(failed.issue)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
