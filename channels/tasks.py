"""Celery tasks of the channels: thin wrappers; the ledger (services) decides what is sent."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def start(issue_id: int, kind: str, correction_id: int | None = None) -> int:
    """An issue was published, corrected or withdrawn: make its deliveries and send them."""
    rows = services.start(issue_id=issue_id, kind=kind, correction_id=correction_id)
    for row_id in rows:
        deliver.delay(row_id)
    return len(rows)


@shared_task(bind=True)
def deliver(self, delivery_id: int) -> str | None:
    """Send one delivery; after a "try later" the next attempt is timed by the ledger."""
    status = services.deliver(delivery_id)
    if status == services.S.QUEUED and not self.request.is_eager:  # in-process: beat sends it
        wait = services.seconds_until_due(delivery_id, now=timezone.now())
        deliver.apply_async((delivery_id,), countdown=wait + 1)
    return status


@shared_task
def send_due() -> int:
    """Beat: uncertain for deliveries whose worker died, then send what is due again."""
    services.sweep()
    ids = services.due_ids()
    for delivery_id in ids:
        deliver.delay(delivery_id)
    return len(ids)
