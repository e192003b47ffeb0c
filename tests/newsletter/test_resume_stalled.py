"""Beat's recovery of mailings whose queued batches were lost (a broker restarted empty)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter import mailings, sending
from newsletter.models import Delivery, Mailing
from newsletter.tasks import resume_stalled_mailings

from ..factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=5)  # beat's next run


def mailing_with_deliveries(readers: int) -> Mailing:
    SubscriberFactory.create_batch(readers)
    mailing = mailings.digest_for(IssueFactory(published=True))
    sending.create_deliveries(mailing)
    return mailing


def first_of(mailing: Mailing):
    """The mailing's first delivery, as a queryset to update."""
    return Delivery.objects.filter(pk=Delivery.objects.filter(mailing=mailing).order_by("pk")[0].pk)


def test_a_mailing_whose_batches_were_lost_is_sent_to_the_rest_once_each(
    smtp_server, django_capture_on_commit_callbacks
):
    mailing = mailing_with_deliveries(4)
    # Sent before the broker restarted; the tasks for the other three were lost with it.
    first_of(mailing).update(status="sent", sent_at=timezone.now())
    first = first_of(mailing).get()

    with django_capture_on_commit_callbacks(execute=True):
        resumed = mailings.resume_stalled(now=timezone.now() + LATER)

    assert resumed == 1
    expected = Delivery.objects.filter(mailing=mailing).exclude(pk=first.pk)
    assert Counter(smtp_server.recipients) == Counter(d.subscriber.email for d in expected)
    assert Delivery.objects.filter(mailing=mailing).counts_by_status() == {"sent": 4}
    mailing.refresh_from_db()
    assert mailing.finished_at is not None


def test_an_uncertain_delivery_is_not_resent_when_the_rest_is_resumed(
    smtp_server, django_capture_on_commit_callbacks
):
    mailing = mailing_with_deliveries(3)
    first_of(mailing).update(status="uncertain")
    uncertain = first_of(mailing).get()

    with django_capture_on_commit_callbacks(execute=True):
        mailings.resume_stalled(now=timezone.now() + LATER)

    assert uncertain.subscriber.email not in smtp_server.recipients
    assert len(smtp_server.recipients) == 2
    assert Delivery.objects.filter(mailing=mailing).counts_by_status() == {
        "sent": 2,
        "uncertain": 1,
    }


def test_mailings_still_sending_paused_finished_or_just_started_are_left_alone(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    sending_now = mailing_with_deliveries(2)
    first_of(sending_now).update(status="sent", sent_at=now + LATER - timedelta(seconds=30))
    holding_a_lease = mailing_with_deliveries(2)
    first_of(holding_a_lease).update(
        status="claimed", claim="abc", lease_expires_at=now + LATER + timedelta(minutes=1)
    )
    paused = mailing_with_deliveries(2)
    mailings.pause(paused)
    finished = mailing_with_deliveries(1)
    Mailing.objects.filter(pk=finished.pk).update(finished_at=now)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert resume_stalled_mailings() == 0  # now: every mailing was created moments ago
        assert mailings.resume_stalled(now=now + LATER) == 0

    assert queued == []
    assert not Delivery.objects.filter(status="sent").exclude(mailing=sending_now).exists()
