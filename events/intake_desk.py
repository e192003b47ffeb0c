"""The intake desk's view of issues: covered before, today's window, one-click add.

Intake sits below events and cannot import it; this desk is registered at ready() and
answers intake's questions with events' models.
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from intake import hooks
from intake.text import NEAR_SIMILARITY, band_keys, fingerprint_text, signature, similarity, unpack
from sources.models import Source
from sources.normalise import normalise_url

from .models import Citation, Issue
from .sections import BY_KEY, SECTIONS

LOOKBACK_DAYS = 60  # how far back a near-duplicate item still counts as "covered"
PUBLISHED = Issue.Status.PUBLISHED  # a draft that never went out covered nothing


class IntakeRefused(hooks.Refused):
    """The story cannot be added now; the message says why."""


def _local_bounds(start: datetime.date, end: datetime.date):
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
    last = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(1), datetime.time())
    )
    return first, last


def _item_text(item) -> str:
    *title, body = (getattr(item, name) for name in BY_KEY[item.section].fingerprint_fields)
    return fingerprint_text(" ".join(title), body)


def _covered(item, url: str = "") -> dict:
    return {
        "date": item.issue.date.isoformat(),
        "item": item.anchor,
        "url": url or item.get_absolute_url(),
    }


class IssueDesk(hooks.Desk):
    """Answers with Issue, its items and their citations."""

    sections = tuple((kind.key, kind.title) for kind in SECTIONS)

    def coverage_window(self, *, now=None):
        now = now or timezone.now()
        issue = Issue.objects.filter(date=timezone.localdate(now)).first()
        if issue is None:
            return super().coverage_window(now=now)
        return _local_bounds(issue.coverage_start, issue.coverage_end)

    def covered_before(self, stories, *, today=None) -> dict[int, list[dict]]:
        """Earlier published issues citing a story's URL, or holding a near copy of its text."""
        today = today or timezone.localdate()
        entries = [(s.pk, e) for s in stories for e in s.entries.all()]
        found: dict[int, dict[tuple, dict]] = {}
        by_url: dict[str, list[int]] = {}
        for story_id, entry in entries:
            by_url.setdefault(entry.url, []).append(story_id)
        citations = Citation.objects.filter(
            source__url__in=list(by_url), issue__date__lt=today, issue__status=PUBLISHED
        ).select_related("source", "issue", "event__issue", "signal__issue", "paper__issue")
        for citation in citations:
            item = citation.item
            for story_id in by_url[citation.source.url]:
                found.setdefault(story_id, {})[(item.issue.date, item.anchor)] = _covered(item)
        index = self._item_index(today)
        for story_id, entry in entries:
            sig = unpack(entry.signature) if entry.signature else None
            if not sig:
                continue
            for key in band_keys(sig):
                for item_sig, item in index.get(key, ()):
                    if similarity(sig, item_sig) >= NEAR_SIMILARITY:
                        found.setdefault(story_id, {})[(item.issue.date, item.anchor)] = _covered(
                            item
                        )
        return {
            story_id: [v for _k, v in sorted(hits.items(), key=lambda kv: kv[0], reverse=True)]
            for story_id, hits in found.items()
        }

    def _item_index(self, today) -> dict[int, list]:
        since = today - datetime.timedelta(days=LOOKBACK_DAYS)
        index: dict[int, list] = {}
        for kind in SECTIONS:
            for item in kind.model.objects.filter(
                issue__date__lt=today, issue__date__gte=since, issue__status=PUBLISHED
            ).select_related("issue"):
                sig = signature(_item_text(item))
                for key in band_keys(sig):
                    index.setdefault(key, []).append((sig, item))
        return index

    def add_to_issue(self, *, story, section: str, user) -> tuple[str, str]:
        return add_story(story=story, section=section, user=user)


def _item_fields(section: str, story, first) -> dict:
    feed_name = first.feed.name
    if section == "event":
        return {
            "title": story.title[:300],
            "occurred_on": timezone.localdate(story.first_seen),
            "what_happened": first.summary,
        }
    if section == "signal":
        return {
            "handle": (first.feed.publisher or feed_name)[:100],
            "post_url": first.url,
            "headline": story.title[:300],
            "platform": feed_name[:40] if first.feed.kind == "social" else "X",
        }
    return {"name": story.title[:200], "headline": story.title[:300], "url": first.url}


@transaction.atomic
def add_story(*, story, section: str, user) -> tuple[str, str]:
    """Create today's item from a story, citing every visible entry; the story becomes used."""
    kind = BY_KEY.get(section)
    if kind is None:
        raise IntakeRefused(_("未知栏目：%(s)s") % {"s": section})
    model = kind.model
    if not user.has_perm(f"events.add_{model._meta.model_name}"):
        raise IntakeRefused(_("你没有添加这类内容的权限。"))
    story = type(story).objects.select_for_update().get(pk=story.pk)
    if story.state == story.State.USED:
        raise IntakeRefused(_("这个选题已经采用为 %(label)s。") % {"label": story.used_label})
    issue = Issue.objects.select_for_update().filter(date=timezone.localdate()).first()
    if issue is None or issue.status != Issue.Status.DRAFT:
        raise IntakeRefused(_("今天没有可编辑的日报草稿，请先新建今天的日报。"))
    entries = list(story.entries.visible().select_related("feed").order_by("published_at"))
    if not entries:
        raise IntakeRefused(_("这个选题没有可引用的条目。"))
    rank = (model.objects.filter(issue=issue).aggregate(top=Max("rank"))["top"] or 0) + 1
    item = model.objects.create(
        issue=issue, rank=rank, created_by=user, **_item_fields(section, story, entries[0])
    )
    for position, entry in enumerate(entries, start=1):
        source, _created = Source.objects.get_or_create(
            url=normalise_url(entry.url),
            defaults={
                "title": entry.title[:500],
                "publisher": (entry.feed.publisher or entry.feed.name)[:200],
                "kind": entry.feed.kind,
            },
        )
        Citation.objects.create(
            **{section: item}, source=source, position=position, label=entry.feed.name[:500]
        )
    url = reverse(f"admin:events_{model._meta.model_name}_change", args=[item.pk])
    story.state, story.used_label, story.used_url = story.State.USED, item.anchor, url
    story.save(update_fields=["state", "used_label", "used_url", "updated_at"])
    return item.anchor, url
