"""Celery tasks of the intake desk: a dispatcher on beat, and one task per feed."""

from celery import shared_task
from django.conf import settings

from . import services
from .models import Feed


@shared_task
def poll_due_feeds() -> int:
    """Queue a poll for every due feed, up to the dispatch limit."""
    ids = services.claim_due(limit=settings.FEED_DISPATCH_LIMIT)
    for feed_id in ids:
        poll_feed.delay(feed_id)
    return len(ids)


@shared_task
def poll_feed(feed_id: int) -> str:
    """Poll one feed; a failure is recorded on the feed and never touches the others."""
    feed = Feed.objects.filter(pk=feed_id, enabled=True).first()
    if feed is None:
        return "gone"
    return services.poll(feed=feed).outcome
