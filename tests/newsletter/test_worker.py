"""End to end: a real Celery worker on Redis sends a published issue to the test SMTP server."""

from collections import Counter

import pytest

from events import workflow
from newsletter.models import Delivery

from ..conftest import celery_worker_env, wait_for
from ..factories import AnalystFactory, ChiefEditorFactory, SubscriberFactory, publishable_issue


@pytest.fixture
def worker_mail(smtp_server, monkeypatch):
    """Point the worker process (started after this fixture) at the test SMTP server."""
    monkeypatch.setattr(
        celery_worker_env,
        "extra",
        {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}", "NEWSLETTER_BATCH_SIZE": "5"},
    )
    return smtp_server


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_a_published_issue_once_to_each_subscriber(worker_mail, celery_worker):
    readers = SubscriberFactory.create_batch(12)
    SubscriberFactory(unsubscribed=True)
    analyst, editor = AnalystFactory(), ChiefEditorFactory()
    issue = publishable_issue()
    workflow.perform(issue, "submit", by=analyst)
    workflow.perform(issue, "approve", by=editor)

    workflow.perform(issue, "publish", by=editor)  # the digest is queued on commit

    wait_for(
        lambda: Delivery.objects.filter(status="sent").count() == 12,
        timeout=90,
        message="12 deliveries sent by the worker",
    )
    assert Counter(worker_mail.recipients) == Counter({r.email: 1 for r in readers})
    for message in worker_mail.parsed():
        assert message.get_content_type() == "multipart/alternative"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
