from django.db import models
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Subquery


class IssueQuerySet(models.QuerySet):
    def published(self):
        """Issues readers may see (withdrawn ones keep their URL, answered with 410)."""
        return self.filter(status="published")

    def public(self):
        return self.filter(status__in=["published", "withdrawn"])

    def due_for_publication(self, now):
        return self.filter(status="scheduled", publish_at__lte=now)

    def with_items(self):
        """Prefetch every item with its citations, sources and tags: one query per relation."""
        from .models import Citation

        citations = Citation.objects.select_related("source").order_by("position", "pk")
        lookups = []
        for relation in ("events", "signals", "papers"):
            lookups += [
                Prefetch(f"{relation}__citations", queryset=citations),
                f"{relation}__tags",
            ]
        return self.prefetch_related("conclusions", "corrections", *lookups)

    def for_issue_page(self):
        """Everything the public page shows, in a fixed number of queries (12, whatever the size).

        Each citation carries `snapshot_id`, its source's latest successful capture, so the
        "archived copy" links cost no query per source.
        """
        from sources.models import Snapshot

        from .models import Citation

        latest_snapshot = (
            Snapshot.objects.filter(source=OuterRef("source"), status="succeeded")
            .order_by("-finished_at", "-pk")
            .values("pk")[:1]
        )
        citations = (
            Citation.objects.select_related("source")
            .annotate(snapshot_id=Subquery(latest_snapshot))
            .order_by("position", "pk")
        )
        lookups = []
        for relation in ("events", "signals", "papers"):
            lookups += [
                Prefetch(f"{relation}__citations", queryset=citations),
                f"{relation}__tags",
            ]
        return self.prefetch_related("conclusions", "corrections", *lookups)

    def with_item_counts(self):
        """Annotate event_count, signal_count and paper_count (None for none), as subqueries:
        no query per issue, and no join that multiplies the rows."""
        from .models import Event, Paper, SocialSignal

        def count_of(model):
            return Subquery(
                model.objects.filter(issue=OuterRef("pk"))
                .order_by()
                .values("issue")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=models.IntegerField(),
            )

        return self.annotate(
            event_count=count_of(Event),
            signal_count=count_of(SocialSignal),
            paper_count=count_of(Paper),
        )

    def for_archive(self):
        """Published issues for the archive list: counts as subqueries, no query per issue."""
        from .models import Correction

        return (
            self.published()
            .with_item_counts()
            .annotate(is_corrected=Exists(Correction.objects.filter(issue=OuterRef("pk"))))
            .defer("business_analysis", "withdrawal_reason", "approved_fingerprint")
            .order_by("-date")
        )

    def archive_version(self) -> dict:
        """What the archive list depends on, in one query (see pagecache.archive_key)."""
        return self.aggregate(
            published=Count("pk", filter=Q(status="published"), distinct=True),
            changed=Max("updated_at"),
            corrected=Max("corrections__pk"),
        )

    def with_page_version(self):
        """Annotate what the cached public page depends on, so a change makes a new cache key."""
        from .models import Correction, Event, Paper, SocialSignal

        def latest(model, field):
            return Subquery(
                model.objects.filter(issue=OuterRef("pk")).order_by(f"-{field}").values(field)[:1]
            )

        return self.annotate(
            last_correction_id=latest(Correction, "pk"),
            events_changed=latest(Event, "updated_at"),
            signals_changed=latest(SocialSignal, "updated_at"),
            papers_changed=latest(Paper, "updated_at"),
        )
