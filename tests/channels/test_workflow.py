"""The newsroom's own actions reach the channels: publish, correct, withdraw, and the gate."""

import pytest

from channels import panel
from channels.models import ChannelDelivery
from events import workflow
from events.workflow import InvalidTransition

from ..factories import publishable_issue

S = ChannelDelivery.Status


def test_publish_correct_and_withdraw_each_reach_the_webhook_once(
    analyst, editor, endpoint, endpoint_server, django_capture_on_commit_callbacks
):
    issue = publishable_issue()
    workflow.perform(issue, "submit", by=analyst)
    workflow.perform(issue, "approve", by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(issue, "publish", by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(issue, by=editor, text="第 1 条金额更正。")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(issue, "withdraw", by=editor, comment="来源撤稿。")
    events = [r.json()["event"] for r in endpoint_server.requests]
    assert events == ["issue.published", "issue.corrected", "issue.withdrawn"]
    assert endpoint_server.requests[2].json()["reason"] == "来源撤稿。"
    assert set(issue.channel_deliveries.values_list("status", flat=True)) == {S.SENT}


def test_publishing_is_refused_while_an_enabled_channel_cannot_take_the_issue(
    analyst, editor, settings
):
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = "wx1", "secret"
    settings.WECHAT_THUMB_MEDIA_ID = ""  # WeChat refuses a draft without a cover
    issue = publishable_issue()
    workflow.perform(issue, "submit", by=analyst)
    with pytest.raises(InvalidTransition) as refused:
        workflow.perform(issue, "approve", by=editor)
    assert "WECHAT_THUMB_MEDIA_ID" in str(refused.value)
    assert not ChannelDelivery.objects.exists()


def test_the_panel_costs_the_same_queries_however_many_deliveries(
    published, endpoint, django_assert_num_queries
):
    from channels import services
    from channels.models import WebhookEndpoint

    services.create_deliveries(published, "publish")
    with django_assert_num_queries(2):
        assert len(panel.rows_for(published)[0].deliveries) == 1
    for n in range(5):
        WebhookEndpoint.objects.create(name=f"e{n}", url=endpoint.url, secret="s")
    services.create_deliveries(published, "withdraw")
    with django_assert_num_queries(2):
        assert len(panel.rows_for(published)[0].deliveries) == 7
