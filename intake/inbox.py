"""The inbox: the stories of today's coverage window, filtered and scored, and its actions."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from . import hooks
from .models import Entry, Feed, Story

PAGE_SIZE = 100
ORDERS = {"new": ("-first_seen", "-pk"), "score": ("-score", "-first_seen", "-pk")}
ACTIVE_STATES = (Story.State.NEW, Story.State.STARRED)


@dataclass
class InboxFilters:
    feed: int | None = None
    kind: str = ""
    q: str = ""
    state: str = ""  # "" = new and starred
    order: str = "new"

    @classmethod
    def from_query(cls, data) -> "InboxFilters":
        """Filters from GET parameters; anything malformed is ignored rather than an error."""
        feed = data.get("feed", "")
        state = data.get("state", "")
        return cls(
            feed=int(feed) if feed.isdigit() else None,
            kind=data.get("kind", "") if data.get("kind", "") in Feed.Kind.values else "",
            q=data.get("q", "").strip()[:200],
            state=state if state in Story.State.values else "",
            order=data.get("order", "new") if data.get("order") in ORDERS else "new",
        )


def stories(*, filters: InboxFilters, now=None):
    """The inbox's stories for these filters, scored, with entries prefetched."""
    start, end = hooks.desk().coverage_window(now=now)
    found = Story.objects.in_window(start, end).with_score().for_inbox()
    if filters.state:
        found = found.filter(state=filters.state)
    else:
        found = found.filter(state__in=ACTIVE_STATES)
    entry_filter = Q()
    if filters.feed:
        entry_filter &= Q(feed_id=filters.feed)
    if filters.kind:
        entry_filter &= Q(feed__kind=filters.kind)
    if filters.q:
        entry_filter &= Q(title__icontains=filters.q) | Q(summary__icontains=filters.q)
    if entry_filter:
        found = found.filter(pk__in=Entry.objects.visible().filter(entry_filter).values("story_id"))
    return found.order_by(*ORDERS[filters.order])


@transaction.atomic
def set_state(*, story_ids: list[int], state: str) -> int:
    """Star, unstar or dismiss stories; a story already used stays used."""
    if state not in (Story.State.NEW, Story.State.STARRED, Story.State.DISMISSED):
        raise ValueError(state)
    return (
        Story.objects.filter(pk__in=story_ids).exclude(state=Story.State.USED).update(state=state)
    )
