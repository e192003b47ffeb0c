from django.db import models
from django.db.models import Prefetch


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
