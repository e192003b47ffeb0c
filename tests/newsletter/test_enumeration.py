"""Whether an address is subscribed cannot be told from the subscribe answer or its cost.

Timing is not asserted (too noisy for CI): the work done before answering is, which is what
makes the time the same. Every path queues the same one task and runs the same queries.
"""

from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter import tasks
from newsletter.models import Subscriber

from ..conftest import celery_worker_env, wait_for
from ..factories import SubscriberFactory

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBE = "/subscribe/"
REQUEST_TASK = "newsletter.tasks.request_subscription"


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://daily.example.org"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    from django.core.cache import cache

    cache.clear()


def answer_without_running_tasks(client, email):
    """POST the form with the worker stopped: what the visitor waits for, and what is queued."""
    queued = []

    def record(self, args=None, kwargs=None, **options):
        queued.append(self.name)

    with (
        mock.patch("celery.app.task.Task.apply_async", record),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post(SUBSCRIBE, {"email": email})
    return response, queued, len(queries)


def test_every_address_queues_the_same_one_task_and_gets_the_same_answer(client):
    SubscriberFactory(email="active@example.com")
    SubscriberFactory(email="pending@example.com", pending=True)
    SubscriberFactory(email="left@example.com", unsubscribed=True)
    SubscriberFactory(email="bounced@example.com", status=Subscriber.Status.BOUNCED)
    addresses = [
        "active@example.com",
        "pending@example.com",
        "left@example.com",
        "bounced@example.com",
        "nobody@example.com",
    ]

    answers = [answer_without_running_tasks(client, email) for email in addresses]

    assert {response.status_code for response, _, _ in answers} == {200}
    assert len({response.content for response, _, _ in answers}) == 1
    assert [queued for _, queued, _ in answers] == [[REQUEST_TASK]] * 5
    assert len({count for _, _, count in answers}) == 1
    # Nothing was decided while the visitor waited: no row created, no mail sent.
    assert not Subscriber.objects.with_email("nobody@example.com").exists()
    assert mail.outbox == []


def test_queued_request_creates_and_confirms_only_new_or_returning_addresses(db):
    SubscriberFactory(email="active@example.com")
    left = SubscriberFactory(email="left@example.com", unsubscribed=True)

    for email in ("active@example.com", "left@example.com", "New@Example.com"):
        tasks.request_subscription(email, "web")

    left.refresh_from_db()
    assert left.status == Subscriber.Status.PENDING
    assert Subscriber.objects.with_email("New@example.com").get().status == "pending"
    assert sorted(m.to[0] for m in mail.outbox) == ["New@example.com", "left@example.com"]


@pytest.fixture
def worker_smtp(smtp_server, monkeypatch):
    """The worker process (started after this fixture) mails the test SMTP server."""
    monkeypatch.setattr(
        celery_worker_env, "extra", {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}"}
    )
    return smtp_server


@pytest.mark.services
def test_real_worker_turns_a_subscribe_request_into_one_confirmation(
    worker_smtp, celery_worker, client
):
    SubscriberFactory(email="active@example.com")

    for email in ("active@example.com", "fresh@example.com"):
        assert client.post(SUBSCRIBE, {"email": email}).status_code == 200

    wait_for(lambda: worker_smtp.recipients, timeout=60, message="a confirmation email")
    assert Subscriber.objects.with_email("fresh@example.com").get().status == "pending"
    assert worker_smtp.recipients == ["fresh@example.com"]
