"""Celery tasks of the newsletter: thin wrappers that own the retry policy."""

from celery import shared_task
from django.conf import settings

from . import mailings, sending, services


@shared_task
def request_subscription(email: str, source: str = "web") -> None:
    """A visitor asked to subscribe: create or revive the row and queue the confirmation."""
    services.subscribe(email=email, source=source)


@shared_task
def send_confirmation(subscriber_id: int) -> bool:
    """Email the double opt-in link."""
    return services.send_confirmation_email(subscriber_id)


@shared_task
def start_digest(issue_id: int) -> None:
    """On publication: render the digest once, create the deliveries, start sending."""
    from events.models import Issue

    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.PUBLISHED).first()
    if issue is not None:  # withdrawn again before the worker got to it: send nothing
        mailings.start_digest(issue)


@shared_task
def send_mailing(mailing_id: int) -> None:
    """Fan out: one batch task per lane; each lane re-queues itself while work remains."""
    for _lane in range(max(1, settings.NEWSLETTER_LANES)):
        send_batch.delay(mailing_id)


@shared_task(
    bind=True,
    autoretry_for=(sending.TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def send_batch(self, mailing_id: int) -> int:
    """Send one batch over one SMTP connection, then queue the next one."""
    result = sending.send_batch(mailing_id=mailing_id)
    if result.more:
        send_batch.delay(mailing_id)
    elif not result.paused and not self.request.is_eager:  # in-process: no timers to wait on
        delay = sending.next_retry_delay(mailing_id)
        if delay is not None:
            send_batch.apply_async((mailing_id,), countdown=delay + 1)
    return result.sent


@shared_task
def sweep_deliveries() -> dict:
    """Beat: expired leases become pending (never handed over) or uncertain."""
    return sending.sweep()


@shared_task
def resume_stalled_mailings() -> int:
    """Beat: queue again mailings whose batches were lost (a broker restart); returns how many."""
    return mailings.resume_stalled()
