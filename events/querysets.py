from django.db import models
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Subquery

from .sections import SECTIONS


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
        return self._with_parts(citations)

    def _with_parts(self, citations):
        lookups = []
        for kind in SECTIONS:
            lookups += [
                Prefetch(f"{kind.relation}__citations", queryset=citations),
                f"{kind.relation}__tags",
            ]
        return self.prefetch_related("conclusions", "corrections", *lookups)

    def for_issue_page(self):
        """Everything the public page shows, in a fixed number of queries (12, whatever the size).

        Each citation carries `snapshot_id`, its source's latest successful capture, so the
        "archived copy" links cost no query per source.
        """
        from sources.models import Snapshot

        from .models import Citation

        latest_snapshot = Snapshot.objects.newest_successful(OuterRef("source")).values("pk")[:1]
        citations = (
            Citation.objects.select_related("source")
            .annotate(snapshot_id=Subquery(latest_snapshot))
            .order_by("position", "pk")
        )
        return self._with_parts(citations)

    def with_item_counts(self):
        """Annotate <key>_count per item kind (event_count, …; None for none), as subqueries:
        no query per issue, and no join that multiplies the rows."""

        def count_of(model):
            return Subquery(
                model.objects.filter(issue=OuterRef("pk"))
                .order_by()
                .values("issue")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=models.IntegerField(),
            )

        return self.annotate(**{f"{kind.key}_count": count_of(kind.model) for kind in SECTIONS})

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
        from .models import Correction

        def latest(model, field):
            return Subquery(
                model.objects.filter(issue=OuterRef("pk")).order_by(f"-{field}").values(field)[:1]
            )

        return self.annotate(
            last_correction_id=latest(Correction, "pk"),
            **{f"{kind.relation}_changed": latest(kind.model, "updated_at") for kind in SECTIONS},
        )
