"""Faults survived: Redis restarted while a real worker sends a digest to 200 readers.

The lanes of a mailing re-queue themselves through Redis after each batch, so a restart
without persistence loses the queued batches (and a lane that tries to queue its next batch
while Redis is down fails). The deliveries are in PostgreSQL: the beat task that resumes stalled
mailings queues the rest again, and the claims make sure nobody gets a second copy.
"""

import subprocess
import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from newsletter import mailings
from newsletter.models import Delivery, Mailing
from newsletter.tasks import resume_stalled_mailings

from ..conftest import wait_for
from ..factories import IssueFactory, SubscriberFactory
from ..smtp import Sink, free_port
from .test_faults import REDIS_START, fault_tools, redis_ready  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]

READERS = 200
RATE = 25  # messages a second: the send takes ~8 s, long enough to restart Redis during it
OUTAGE = 3.0  # seconds without Redis: longer than a batch and than Celery's publish retries


@pytest.fixture
def sink():
    """A real SMTP server on 127.0.0.1 that records every message it accepts."""
    sink = Sink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def restart_redis_after_an_outage(seconds: float) -> None:
    """Stop Redis without saving (queued tasks are lost), wait, start it empty; always restored."""
    try:
        subprocess.run(["redis-cli", "shutdown", "nosave"], check=False, timeout=30)
        wait_for(lambda: not redis_ready(), timeout=10, message="Redis down")
        time.sleep(seconds)
        subprocess.run(REDIS_START, check=True, timeout=30)
        wait_for(redis_ready, timeout=30, message="Redis back")
    finally:
        if not redis_ready():
            subprocess.run(REDIS_START, check=False, timeout=30)


def settled(sink: Sink, *, quiet: float = 6.0, timeout: float = 120.0) -> int:
    """Wait until the server receives nothing new for `quiet` seconds; returns the count."""
    deadline = time.monotonic() + timeout
    count, since = len(sink.messages), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if len(sink.messages) != count:
            count, since = len(sink.messages), time.monotonic()
        elif count >= READERS or time.monotonic() - since >= quiet:
            return count
    raise AssertionError(f"the send never settled ({count} messages)")


def test_a_digest_send_survives_a_redis_restart_with_one_message_per_reader(
    fault_tools,  # noqa: F811
    workers,
    sink,
):
    readers = SubscriberFactory.create_batch(READERS)
    SubscriberFactory(unsubscribed=True)
    issue = IssueFactory(published=True, with_conclusions=3)
    workers.start(
        EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
        NEWSLETTER_BATCH_SIZE="10",
        NEWSLETTER_LANES="2",
        NEWSLETTER_RATE_LIMIT=str(RATE),
    )

    mailing = mailings.start_digest(issue)  # the first task is queued on commit
    wait_for(lambda: len(sink.messages) >= 40, timeout=60, message="the send under way")
    before_outage = len(sink.messages)
    restart_redis_after_an_outage(OUTAGE)

    stalled_at = settled(sink)
    # Beat's next run, minutes later: a mailing that stopped short is queued again.
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        resumed = resume_stalled_mailings()
    assert resumed == (1 if stalled_at < READERS else 0), f"stopped at {stalled_at}"
    wait_for(
        lambda: Mailing.objects.get(pk=mailing.pk).finished_at is not None,
        timeout=120,
        message="the mailing finished",
    )

    assert before_outage < READERS  # Redis really went away in the middle of the send
    assert Counter(sink.recipients) == Counter({reader.email: 1 for reader in readers})
    # No delivery is uncertain: the outage cut the broker, not the mail server or the database,
    # so every hand-over was recorded before its message was accepted.
    assert Delivery.objects.filter(mailing=mailing).counts_by_status() == {"sent": READERS}
