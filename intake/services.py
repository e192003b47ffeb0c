"""Polling watched feeds through the SSRF-safe fetcher, and the feed list's own chores."""

import hashlib
import logging
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sources import fetcher

from . import stories
from .models import Feed, Poll
from .parsing import FeedError, parse

logger = logging.getLogger(__name__)

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "application/feed+json",
        "application/json",
    }
)
FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,"
    "text/xml;q=0.9,application/json;q=0.8,*/*;q=0.5"
)
ERROR_LIMIT = 2000


def feed_policy() -> fetcher.Policy:
    """The snapshot fetcher's address rules and deadlines, with the feed size cap and types."""
    policy = fetcher.Policy.from_settings()
    return replace(
        policy,
        max_bytes=min(policy.max_bytes, settings.FEED_MAX_BYTES),
        extra_types=FEED_TYPES,
        accept=FEED_ACCEPT,
    )


def _conditional_headers(feed: Feed) -> dict:
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


def poll(*, feed: Feed, now=None) -> Poll:
    """Fetch and ingest one feed now; never raises, the outcome is on the returned Poll row."""
    now = now or timezone.now()
    try:
        result = fetcher.fetch(feed.url, feed_policy(), headers=_conditional_headers(feed))
    except fetcher.FetchError as exc:
        if exc.http_status == 304:
            return _record(feed, now, Poll.Outcome.UNCHANGED, http_status=304)
        return _failed(feed, now, exc.message, http_status=exc.http_status, wait=exc.retry_after)
    try:
        final = result.final
        if final.truncated:
            return _failed(feed, now, f"response cut short ({final.truncated}): not read")
        body = final.decoded_body().read()
        validators = {"etag": final.header("ETag"), "last_modified": final.header("Last-Modified")}
        digest = hashlib.sha256(body).hexdigest()
        content_type = final.header("Content-Type")
    finally:
        result.close()
    if digest == feed.content_sha256:
        return _record(feed, now, Poll.Outcome.UNCHANGED, http_status=200, **validators)
    try:
        parsed = parse(body, content_type=content_type, max_entries=settings.FEED_MAX_ENTRIES)
    except FeedError as exc:
        return _failed(feed, now, str(exc), http_status=200)
    except Exception as exc:
        return _surprise(feed, now, exc)
    with transaction.atomic():  # the entries and the poll that brought them: one commit
        try:
            new = _ingest(feed, parsed.entries, now)
        except Exception as exc:
            return _surprise(feed, now, exc)
        feed.content_sha256 = digest
        return _record(
            feed,
            now,
            Poll.Outcome.NEW,
            http_status=200,
            new=new,
            skipped=parsed.skipped,
            **validators,
        )


def _surprise(feed: Feed, now, exc: Exception) -> Poll:
    """A parser or database surprise stays this feed's error alone."""
    logger.exception("feed %s could not be ingested", feed.pk)
    return _failed(feed, now, f"{type(exc).__name__}: {exc}", http_status=200)


def _ingest(feed: Feed, entries, now) -> int:
    try:
        return stories.ingest(feed=feed, entries=entries, now=now)
    except IntegrityError:
        # Another feed stored one of these URLs at the same moment: the retry sees it as known.
        return stories.ingest(feed=feed, entries=entries, now=now)


def _record(feed, now, outcome, *, http_status, new=0, skipped=(), etag=None, last_modified=None):
    # Inside poll's transaction no savepoint is needed: a failure here fails the whole poll.
    with transaction.atomic(savepoint=False):
        feed.last_polled_at = now
        feed.next_poll_at = now + feed.poll_interval
        feed.consecutive_errors = 0
        feed.last_error = ""
        fields = ["last_polled_at", "next_poll_at", "consecutive_errors", "last_error"]
        if etag is not None:
            feed.etag, feed.last_modified = etag[:500], (last_modified or "")[:100]
            fields += ["etag", "last_modified", "content_sha256"]
        feed.save(update_fields=fields)
        return Poll.objects.create(
            feed=feed,
            started_at=now,
            outcome=outcome,
            http_status=http_status,
            new_entries=new,
            skipped=list(skipped)[:100],
        )


def _failed(feed, now, message, *, http_status=None, wait=None) -> Poll:
    """Record the error on the feed and back off: doubling per error, or what Retry-After says."""
    with transaction.atomic(savepoint=False):
        feed.consecutive_errors += 1
        delay = feed.backoff()
        if wait is not None:
            delay = max(delay, timedelta(seconds=min(wait, settings.FEED_MAX_BACKOFF_HOURS * 3600)))
        feed.last_polled_at = now
        feed.next_poll_at = now + delay
        feed.last_error = message[:ERROR_LIMIT]
        feed.save(
            update_fields=["consecutive_errors", "last_polled_at", "next_poll_at", "last_error"]
        )
        logger.info("feed %s failed: %s", feed.pk, message)
        return Poll.objects.create(
            feed=feed,
            started_at=now,
            outcome=Poll.Outcome.ERROR,
            http_status=http_status,
            error=message[:ERROR_LIMIT],
        )


def claim_due(*, limit: int, now=None) -> list[int]:
    """Ids of due feeds, each pushed past its interval so no second dispatch queues it again."""
    now = now or timezone.now()
    claimed = []
    for feed_id, interval, due_at in Feed.objects.due(now=now).values_list(
        "pk", "poll_interval", "next_poll_at"
    )[:limit]:
        moved = Feed.objects.filter(pk=feed_id, next_poll_at=due_at).update(
            next_poll_at=now + interval
        )
        if moved:
            claimed.append(feed_id)
    return claimed


def add_feed(*, url: str, name: str = "", kind: str = Feed.Kind.MEDIA, publisher: str = "") -> Feed:
    """Create (or return) a watched feed; the URL is checked the way the fetcher checks it."""
    fetcher.check_url(url)
    feed, _created = Feed.objects.get_or_create(
        url=url.strip(),
        defaults={"name": name or url.strip()[:200], "kind": kind, "publisher": publisher},
    )
    return feed


def stories_as_json(*, since) -> list[dict]:
    """The stories first seen since a time, newest first, as the `intake --json` command prints."""
    from . import hooks
    from .models import Story

    found = list(Story.objects.filter(first_seen__gte=since).for_inbox().order_by("-first_seen"))
    covered = hooks.desk().covered_before(found)
    return [
        {
            "story": story.pk,
            "title": story.title,
            "first_seen": timezone.localtime(story.first_seen).isoformat(),
            "entries": [
                {"url": e.url, "feed": e.feed.name, "title": e.title} for e in story.entries.all()
            ],
            "covered_before": [
                {"date": c["date"], "item": c["item"]} for c in covered.get(story.pk, [])
            ],
        }
        for story in found
    ]
