"""Demo feeds: a handful of feed files shipped here, ingested from disk without the network.

The files go through the same parser and ingest as a poll; their times are replayed as if the
newest entry had just arrived, so the inbox of a fresh `make run` is never empty.
"""

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .. import stories
from ..models import Feed
from ..parsing import parse

DEMO_DIR = Path(__file__).resolve().parent
#: file → (feed name, kind, content type); the URLs are never polled (the feeds are disabled).
DEMO_FEEDS = {
    "anthropic-news.atom": ("Anthropic News", Feed.Kind.OFFICIAL, "application/atom+xml"),
    "techwire.json": ("TechWire", Feed.Kind.MEDIA, "application/feed+json"),
    "36kr-demo.xml": ("36氪", Feed.Kind.MEDIA, "application/rss+xml"),
    "jiqizhixin-demo.xml": ("机器之心", Feed.Kind.MEDIA, "application/rss+xml"),
}


def load_demo_feeds(*, now=None) -> int:
    """Create the demo feeds and ingest their files; returns the number of new entries."""
    now = now or timezone.now()
    parsed = {}
    for filename, (name, kind, content_type) in DEMO_FEEDS.items():
        feed, _created = Feed.objects.get_or_create(
            url=f"https://demo.aidaily.invalid/feeds/{filename}",
            defaults={"name": name, "kind": kind, "publisher": name, "enabled": False},
        )
        data = (DEMO_DIR / filename).read_bytes()
        parsed[feed] = parse(data, content_type=content_type, max_entries=settings.FEED_MAX_ENTRIES)
    times = [e.published_at for p in parsed.values() for e in p.entries if e.published_at]
    shift = now - max(times) if times else None
    new = 0
    for feed, result in parsed.items():
        for entry in result.entries:
            if shift is not None and entry.published_at is not None:
                entry.published_at += shift
        new += stories.ingest(feed=feed, entries=result.entries, now=now)
    return new
