"""The admin's front page: where today's issue stands before the publication deadline."""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import gate
from .models import Issue, ReviewComment


@dataclass
class Dashboard:
    """Everything the morning dashboard shows about today's issue."""

    today: datetime.date
    deadline: datetime.datetime
    now: datetime.datetime
    issue: Issue | None = None
    items_total: int = 0
    items_verified: int = 0
    sources_total: int = 0
    sources_captured: int = 0
    open_comments: int = 0
    problems: list = field(default_factory=list)

    @property
    def time_left(self) -> datetime.timedelta:
        return self.deadline - self.now

    @property
    def is_late(self) -> bool:
        published = self.issue is not None and self.issue.status == Issue.Status.PUBLISHED
        return not published and self.time_left.total_seconds() < 0

    @property
    def time_left_display(self) -> str:
        minutes = int(abs(self.time_left.total_seconds()) // 60)
        span = _("%(h)d 小时 %(m)02d 分") % {"h": minutes // 60, "m": minutes % 60}
        if self.time_left.total_seconds() >= 0:
            return _("距发布截止还有 %(span)s") % {"span": span}
        return _("已超过发布截止时间 %(span)s") % {"span": span}


def deadline_for(day: datetime.date) -> datetime.datetime:
    """The day's publication deadline from AIDAILY_PUBLICATION_DEADLINE ("08:00 [Area/City]")."""
    value, *zone = settings.AIDAILY_PUBLICATION_DEADLINE.split()
    tz = zoneinfo.ZoneInfo(zone[0]) if zone else timezone.get_default_timezone()
    at = datetime.time.fromisoformat(value)
    return datetime.datetime.combine(day, at, tzinfo=tz)


def morning_dashboard(*, now=None) -> Dashboard:
    """Today's issue (Shanghai date): status, verified and captured counts, problems, time left."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    board = Dashboard(today=today, deadline=deadline_for(today), now=now)
    issue = Issue.objects.filter(date=today).first()
    if issue is None:
        return board
    board.issue = issue
    board.problems = gate.problems(issue, now=now)
    items = Issue.objects.with_items().get(pk=issue.pk).items()
    board.items_total = len(items)
    board.items_verified = sum(1 for item in items if item.is_publishable)
    source_ids = {c.source_id for item in items for c in item.citations.all()}
    board.sources_total = len(source_ids)
    board.sources_captured = len(gate.latest_captures(source_ids))
    board.open_comments = ReviewComment.objects.filter(
        issue=issue, resolved_at__isnull=True
    ).count()
    return board
