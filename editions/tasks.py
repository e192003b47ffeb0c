"""Celery tasks of the editions: thin, ids in."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)  # safe twice: a file already current is not made again
def generate_editions(issue_id: int, force: bool = False) -> dict:
    """Make the issue's PDF, long image and card that do not match its content."""
    editions = services.generate(issue_id=issue_id, force=force)
    return {edition.kind: edition.state for edition in editions}
