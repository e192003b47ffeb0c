"""Entries into stories: new URLs are stored once, near-duplicates join the story they match.

Only new entries are ever placed; an entry already stored keeps its story, so merges and splits
made by hand survive every later poll.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aidaily import bulkload

from . import rules as rule_engine
from .models import BAND_FIELDS, TIERS, Entry, Feed, Story
from .parsing import ParsedEntry
from .text import NEAR_SIMILARITY, fingerprint_text, signature, similarity, unpack


def _window() -> timedelta:
    return timedelta(days=settings.FEED_DEDUP_WINDOW_DAYS)


def _candidates(keys_of, since) -> dict[int, list[tuple]]:
    """Stored entries alike enough to one of the new ones, as band key → [(story id, signature,
    published)]: those sharing one of its band keys and estimated at NEAR_SIMILARITY or more.

    Two queries for the whole response. The first finds the entries sharing a band through the
    band columns' indexes and brings their band keys and signatures; most share a band by chance
    and are dropped here. The second brings the publication times of the few left, which
    `_match` needs for the window: reading a time costs more than reading a signature.
    """
    by_band = [set(column) for column in zip(*(keys for _sig, keys in keys_of), strict=True)]
    sharing = Q()
    for field, keys in zip(BAND_FIELDS, by_band, strict=True):
        sharing |= Q(**{f"{field}__in": keys})
    new_by_key = defaultdict(list)  # band key → the new entries' signatures under it
    for sig, keys in keys_of:
        for key in keys:
            new_by_key[key].append(sig)
    rows = (
        Entry.objects.filter(sharing, published_at__gte=since)
        .order_by()
        .values_list("pk", "story_id", "signature", *BAND_FIELDS)
    )
    alike = defaultdict(set)  # stored entry's pk → the band keys it was found alike under
    stored = {}
    for pk, story_id, packed, *keys in rows:
        sig = None
        for key in keys:  # a key stands for its band's number and minima: equal keys, equal band
            for new_sig in new_by_key.get(key, ()):
                sig = sig or unpack(packed)
                if similarity(sig, new_sig) >= NEAR_SIMILARITY:
                    alike[pk].add(key)
                    stored[pk] = (story_id, sig)
    found = defaultdict(list)
    if not alike:
        return found
    times = Entry.objects.filter(pk__in=list(alike)).order_by().values_list("pk", "published_at")
    for pk, published in times:
        story_id, sig = stored[pk]
        for key in alike[pk]:
            found[key].append((story_id, sig, published))
    return found


def _match(sig, keys, published, pool) -> int | None:
    """The story of the most similar candidate inside the window, if similar enough."""
    best, best_score, window = None, NEAR_SIMILARITY, _window()
    for key in keys:
        for story_id, other, when in pool.get(key, ()):
            if abs(when - published) > window:
                continue
            score = similarity(sig, other)
            if score >= best_score:
                best, best_score = story_id, score
    return best


@transaction.atomic
def ingest(*, feed: Feed, entries: list[ParsedEntry], now=None) -> int:
    """Store the entries not seen before and place each in a story; returns how many are new."""
    now = now or timezone.now()
    known = set(Entry.objects.filter(url__in=[e.url for e in entries]).values_list("url", flat=1))
    fresh = [e for e in entries if e.url not in known]
    if not fresh:
        return 0
    compiled = rule_engine.compiled_rules(feed.pk)
    rows, keys_of = [], []
    for parsed in fresh:
        sig = signature(fingerprint_text(parsed.title, parsed.summary))
        blocked, boost = rule_engine.judge(
            compiled, title=parsed.title, summary=parsed.summary, url=parsed.url
        )
        row = Entry(
            feed=feed,
            url=parsed.url,
            guid=parsed.guid,
            title=parsed.title,
            summary=parsed.summary,
            published_at=min(parsed.published_at or now, now),
            fetched_at=now,
            blocked_reason=blocked,
            boost=boost,
        )
        row.set_signature(sig)
        rows.append(row)
        keys_of.append((sig, [getattr(row, field) for field in BAND_FIELDS]))
    existing = _place(rows, keys_of, feed)
    bulkload.load(Entry, rows)
    summarise(existing)
    return len(rows)


def _place(rows: list[Entry], keys_of, feed: Feed) -> set[int]:
    """Give every row a story: a stored near-duplicate's, or a new one created in bulk.

    Returns the stored stories that gained entries, whose summaries need recomputing.
    """
    since = min(r.published_at for r in rows) - _window()
    pool = _candidates(keys_of, since)
    groups: list[list[Entry]] = []  # new stories, as the rows that will make them up
    existing, targets = set(), []
    for row, (sig, keys) in zip(rows, keys_of, strict=True):
        story_id = _match(sig, keys, row.published_at, pool)
        if story_id is None:
            groups.append([row])
            story_id = -len(groups)  # a new story not created yet
        elif story_id < 0:
            groups[-story_id - 1].append(row)
        else:
            existing.add(story_id)
        targets.append(story_id)
        for key in keys:  # later entries of this same response can join this story too
            pool[key].append((story_id, sig, row.published_at))
    created = bulkload.load(Story, [_new_story(group, feed) for group in groups], with_pks=True)
    for row, story_id in zip(rows, targets, strict=True):
        row.story_id = story_id if story_id > 0 else created[-story_id - 1].pk
    return existing


def _new_story(rows: list[Entry], feed: Feed) -> Story:
    """A story of new rows of one feed, with its summary computed here rather than queried."""
    visible = [r for r in rows if not r.blocked_reason] or []
    shown = visible or rows
    return Story(
        title=min(shown, key=lambda r: r.published_at).title[:500],
        first_seen=min(r.published_at for r in shown),
        entry_count=len(visible),
        outlet_count=1 if visible else 0,
        best_tier=feed.tier,
        boost=sum(r.boost for r in visible),
    )


def summarise(story_ids) -> None:
    """Recompute each story's counts, earliest time, best tier, boost and title in bulk."""
    story_ids = set(story_ids)
    if not story_ids:
        return
    entries = defaultdict(list)
    fields = (
        "story_id",
        "feed_id",
        "feed__kind",
        "published_at",
        "title",
        "boost",
        "blocked_reason",
    )
    for row in Entry.objects.filter(story_id__in=story_ids).values_list(*fields):
        entries[row[0]].append(row)
    stories = list(Story.objects.filter(pk__in=story_ids))
    for story in stories:
        rows = entries.get(story.pk, [])
        visible = [r for r in rows if not r[6]]
        story.entry_count = len(visible)
        story.outlet_count = len({r[1] for r in visible})
        shown = visible or rows
        if shown:
            best = min(shown, key=lambda r: (TIERS.get(r[2], 5), r[3]))
            story.first_seen = min(r[3] for r in shown)
            story.best_tier = TIERS.get(best[2], 5)
            story.title = best[4][:500]
            story.boost = sum(r[5] for r in visible)
    fields = ["entry_count", "outlet_count", "first_seen", "best_tier", "title", "boost"]
    Story.objects.bulk_update(stories, fields, batch_size=500)
    emptied = story_ids - entries.keys()  # only a merge or a split empties a story
    if emptied:
        Story.objects.filter(pk__in=emptied, entries__isnull=True).delete()


@transaction.atomic
def merge(*, stories: list[Story]) -> Story:
    """Merge stories into the earliest one; their entries are pinned there."""
    stories = sorted(stories, key=lambda s: (s.first_seen, s.pk))
    target, others = stories[0], stories[1:]
    ids = [s.pk for s in stories]
    Entry.objects.filter(story_id__in=ids).update(story=target, manually_placed=True)
    if any(s.state == Story.State.STARRED for s in others) and target.state == Story.State.NEW:
        Story.objects.filter(pk=target.pk).update(state=Story.State.STARRED)
    summarise(ids)
    target.refresh_from_db()
    return target


@transaction.atomic
def split(*, entries: list[Entry]) -> Story:
    """Move the given entries out of their story into a new one of their own."""
    first = min(entries, key=lambda e: e.published_at)
    old_ids = {e.story_id for e in entries}
    story = Story.objects.create(title=first.title, first_seen=first.published_at)
    Entry.objects.filter(pk__in=[e.pk for e in entries]).update(story=story, manually_placed=True)
    summarise(old_ids | {story.pk})
    story.refresh_from_db()
    return story


def reapply_rules(*, feed: Feed | None = None) -> int:
    """Judge stored entries again under the current rules; returns how many changed."""
    entries = Entry.objects.all() if feed is None else feed.entries.all()
    cache: dict[int, list] = {}
    changed = []
    for entry in entries.only(
        "id", "feed_id", "story_id", "title", "summary", "url", "boost", "blocked_reason"
    ).iterator(chunk_size=2000):
        if entry.feed_id not in cache:
            cache[entry.feed_id] = rule_engine.compiled_rules(entry.feed_id)
        blocked, boost = rule_engine.judge(
            cache[entry.feed_id], title=entry.title, summary=entry.summary, url=entry.url
        )
        if (blocked, boost) != (entry.blocked_reason, entry.boost):
            entry.blocked_reason, entry.boost = blocked, boost
            changed.append(entry)
    with transaction.atomic():
        Entry.objects.bulk_update(changed, ["blocked_reason", "boost"], batch_size=500)
        summarise({e.story_id for e in changed})
    return len(changed)
