"""Two workers given the same delivery at once (Celery delivering a task twice): one request."""

import pytest
from django.utils import timezone

from channels import services

from ..events.test_concurrency import run_at_once
from ..factories import publishable_issue

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_workers_sending_one_delivery_make_one_draft(postgres, wechat):
    issue = publishable_issue(status="published", published_at=timezone.now())
    (row,) = services.create_deliveries(issue, "publish")
    outcomes = run_at_once(lambda: services.deliver(row.pk), lambda: services.deliver(row.pk))
    assert sorted(str(value) for _kind, value in outcomes) == ["None", "sent"]
    assert len(wechat.drafts) == 1 and len(wechat.published) == 1


def test_two_signals_at_once_make_one_row_per_channel(postgres, endpoint):
    issue = publishable_issue(status="published", published_at=timezone.now())

    def start():
        return services.start(issue_id=issue.pk, kind="publish")

    outcomes = run_at_once(start, start)
    assert [kind for kind, _value in outcomes] == ["ok", "ok"]
    assert issue.channel_deliveries.count() == 1
