"""End to end: a real Celery worker on Redis announces a published issue on every channel."""

import pytest

from channels.models import ChannelDelivery, WebhookEndpoint
from events import workflow

from ..conftest import celery_worker_env, wait_for
from ..factories import AnalystFactory, ChiefEditorFactory, publishable_issue
from .servers import Server


@pytest.fixture
def feishu_for_worker(monkeypatch):
    """A Feishu bot the worker process (started after this fixture) is configured to use."""
    with Server(lambda request: (200, {"code": 0, "msg": "success"})) as server:
        extra = {"FEISHU_WEBHOOK_URL": server.url + "/hook", "FEISHU_SECRET": "s3cret"}
        monkeypatch.setattr(celery_worker_env, "extra", extra)
        yield server


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_announces_a_publication_once_per_channel(
    feishu_for_worker, endpoint_server, celery_worker
):
    WebhookEndpoint.objects.create(name="CRM", url=endpoint_server.url + "/in", secret="k")
    analyst, editor = AnalystFactory(), ChiefEditorFactory()
    issue = publishable_issue()
    workflow.perform(issue, "submit", by=analyst)
    workflow.perform(issue, "approve", by=editor)

    workflow.perform(issue, "publish", by=editor)  # the channels are started on commit

    wait_for(
        lambda: ChannelDelivery.objects.filter(status="sent").count() == 2,
        timeout=90,
        message="the Feishu card and the webhook sent by the worker",
    )
    assert len(feishu_for_worker.requests) == 1 and len(endpoint_server.requests) == 1
    assert feishu_for_worker.requests[0].json()["msg_type"] == "interactive"
    assert endpoint_server.requests[0].json()["event"] == "issue.published"
