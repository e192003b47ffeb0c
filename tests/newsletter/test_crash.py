"""Exactly once: a worker that dies mid-batch, a connection that drops mid-message, two workers."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from newsletter import mailings, sending
from newsletter.models import Delivery

from ..factories import IssueFactory, SubscriberFactory

D = Delivery.Status


class WorkerKilled(BaseException):
    """A worker stopped mid-batch: no `except Exception` handler sees it, so no row is marked
    failed or sent on the way out. `finally` blocks still run, which a real SIGKILL would not:
    what these tests prove is that the rows a stopped worker leaves are resumed exactly once."""


def digest_with_deliveries():
    issue = IssueFactory(published=True, with_conclusions=3)
    mailing = mailings.digest_for(issue)
    sending.create_deliveries(mailing)
    return mailing


def send_until_done(mailing):
    while sending.send_batch(mailing_id=mailing.pk).claimed:
        pass


@pytest.mark.django_db
def test_crash_after_n_messages_then_resume_sends_exactly_one_per_active_subscriber(
    smtp_server, settings, monkeypatch, time_machine
):
    time_machine.move_to(timezone.now(), tick=True)
    settings.NEWSLETTER_BATCH_SIZE = 10
    readers = SubscriberFactory.create_batch(25)
    SubscriberFactory(unsubscribed=True)
    SubscriberFactory(pending=True)
    mailing = digest_with_deliveries()
    hand_over = sending._hand_over

    def dies_after_the_seventh_is_accepted(token, **kwargs):
        if len(smtp_server.messages) == 7:
            raise WorkerKilled
        return hand_over(token, **kwargs)

    monkeypatch.setattr(sending, "_hand_over", dies_after_the_seventh_is_accepted)
    with pytest.raises(WorkerKilled):
        sending.send_batch(mailing_id=mailing.pk)
    monkeypatch.undo()
    assert len(smtp_server.messages) == 7
    assert Delivery.objects.counts_by_status() == {
        "sent": 6,
        "sending": 1,
        "claimed": 3,
        "pending": 15,
    }

    # Celery redelivers the task at once: the dead worker's leased rows are left alone.
    send_until_done(mailing)
    assert len(smtp_server.messages) == 22
    # When the lease runs out, the one message that may have gone out is uncertain, the rest go.
    time_machine.move_to(timezone.now() + timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS + 1))
    send_until_done(mailing)

    received = Counter(smtp_server.recipients)
    assert received == Counter({reader.email: 1 for reader in readers})
    assert Delivery.objects.counts_by_status() == {"sent": 24, "uncertain": 1}
    uncertain = Delivery.objects.get(status=D.UNCERTAIN)
    assert received[uncertain.subscriber.email] == 1  # it had reached the server: not re-sent
    assert uncertain.message_id


@pytest.mark.django_db
def test_connection_dropped_mid_message_is_uncertain_and_never_resent_automatically(
    smtp_server, settings
):
    settings.NEWSLETTER_BATCH_SIZE = 50
    readers = SubscriberFactory.create_batch(6)
    smtp_server.drop_after_data.add(readers[2].email)
    mailing = digest_with_deliveries()

    with pytest.raises(sending.TransientSendError):
        sending.send_batch(mailing_id=mailing.pk)
    send_until_done(mailing)
    send_until_done(mailing)

    assert Counter(smtp_server.recipients) == Counter({r.email: 1 for r in readers})
    dropped = Delivery.objects.get(subscriber=readers[2])
    assert dropped.status == D.UNCERTAIN
    assert Delivery.objects.counts_by_status() == {"sent": 5, "uncertain": 1}


@pytest.mark.django_db
def test_resending_uncertain_is_a_decision_that_sends_it_once_more(
    smtp_server, django_capture_on_commit_callbacks
):
    readers = SubscriberFactory.create_batch(3)
    smtp_server.drop_after_data.add(readers[0].email)
    mailing = digest_with_deliveries()
    with pytest.raises(sending.TransientSendError):
        sending.send_batch(mailing_id=mailing.pk)
    send_until_done(mailing)
    smtp_server.drop_after_data.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert mailings.resend(mailing, statuses=[D.UNCERTAIN]) == 1

    assert Delivery.objects.counts_by_status() == {"sent": 3}
    assert Counter(smtp_server.recipients)[readers[0].email] == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_task_at_once_never_send_twice(
    postgres, smtp_server, settings
):
    settings.NEWSLETTER_BATCH_SIZE = 7
    readers = SubscriberFactory.create_batch(60)
    mailing = digest_with_deliveries()
    errors = []

    def worker():
        try:
            send_until_done(mailing)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert Counter(smtp_server.recipients) == Counter({r.email: 1 for r in readers})
    assert Delivery.objects.counts_by_status() == {"sent": 60}


@pytest.mark.django_db(transaction=True)
def test_worker_process_killed_mid_batch_then_resumed_sends_exactly_one_per_subscriber(
    postgres, smtp_server, settings, time_machine
):
    """SIGKILL a real `send_digest` process right as the server accepts its 8th message."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from django.core.management import call_command

    readers = SubscriberFactory.create_batch(30)
    SubscriberFactory(unsubscribed=True)
    issue = IssueFactory(published=True, with_conclusions=3)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "SECRET_KEY": "x",
        "CELERY_BROKER_URL": "",
        "NEWSLETTER_BATCH_SIZE": "10",
        "NEWSLETTER_LANES": "1",
    }
    env.pop("CELERY_BROKER_URL")
    root = Path(__file__).resolve().parents[2]
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "send_digest", issue.date.isoformat()],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    smtp_server.kill_at = (8, lambda: os.kill(worker.pid, signal.SIGKILL))
    assert worker.wait(timeout=120) == -signal.SIGKILL
    assert len(smtp_server.messages) == 8
    assert Delivery.objects.counts_by_status() == {
        "sent": 7,
        "sending": 1,
        "claimed": 2,
        "pending": 20,
    }

    time_machine.move_to(timezone.now() + timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS + 1))
    call_command("send_digest", issue.date.isoformat())

    assert Counter(smtp_server.recipients) == Counter({reader.email: 1 for reader in readers})
    assert Delivery.objects.counts_by_status() == {"sent": 29, "uncertain": 1}
