from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Now

#: A capture still in hand: waiting for or held by a worker, or awaiting extraction.
UNFINISHED_STATUSES = ["queued", "running", "captured"]


class SourceQuerySet(models.QuerySet):
    def cited_by_issue(self, issue):
        """Sources cited by any item of the issue."""
        return self.filter(citations__issue=issue).distinct()

    def cited_by_status(self, statuses):
        """Sources cited by at least one issue in one of these workflow statuses (named by the
        layer above through sources.citing, never spelt here)."""
        return self.filter(citations__issue__status__in=statuses).distinct()

    def public(self):
        """Sources cited by at least one published issue, whose captures anyone may read.

        A draft's sources stay private until it is published; a withdrawn issue's go private
        again, unless another published issue still cites them.
        """
        from . import citing

        return self.cited_by_status(citing.statuses(citing.PUBLISHED))

    def without_active_capture(self):
        """Sources with no capture pending (queued, running or awaiting extraction)."""
        return self.exclude(snapshots__status__in=UNFINISHED_STATUSES)

    def not_captured_since(self, when):
        """Sources whose newest successful capture is older than `when`, or missing."""
        fresh = self.filter(snapshots__status="succeeded", snapshots__finished_at__gte=when)
        return self.exclude(pk__in=fresh.values("pk"))


class SnapshotQuerySet(models.QuerySet):
    def succeeded(self):
        return self.filter(status="succeeded")

    def newest_successful(self, source):
        """The source's successful captures, newest first: `.first()` is its newest capture, and
        with `source=OuterRef(...)` `.values(field)[:1]` is a subquery of it.

        Newest by finished_at, then id: the order the partial index snapshot_latest_success
        keeps, so the newest is one index step, not a sort of the source's history.
        """
        return self.filter(source=source, status="succeeded").order_by("-finished_at", "-pk")

    def newest_successful_of(self, sources):
        """The newest successful capture of each of these sources (ids, rows or a queryset),
        one row per source that has one, in one query."""
        from .models import Source  # models imports this module

        newest = self.model.objects.newest_successful(OuterRef("pk")).values("pk")[:1]
        ids = Source.objects.filter(pk__in=sources).annotate(newest=Subquery(newest))
        return self.filter(pk__in=ids.values("newest"))

    def public(self):
        """Captures anyone may read: those of a source a published issue cites."""
        from .models import Source  # models imports this module

        return self.filter(source__in=Source.objects.public().values("pk"))

    def visible_to(self, user):
        """Every capture for staff who may view snapshots; only the public ones for others."""
        if user.is_staff and user.has_perm("sources.view_snapshot"):
            return self
        return self.public()

    def active(self):
        """Captures waiting for or held by a worker, or captured and awaiting extraction."""
        return self.filter(status__in=UNFINISHED_STATUSES)

    def stuck(self, lease):
        """Captures "running" for longer than a worker may hold one, by database time."""
        return self.filter(status="running", started_at__lt=Now() - lease)
