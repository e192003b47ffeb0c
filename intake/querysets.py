"""Query methods of the intake desk, each named for the page or job that needs it."""

from django.db import models
from django.db.models import F, Prefetch
from django.utils import timezone


class FeedQuerySet(models.QuerySet):
    def due(self, *, now=None):
        """Enabled feeds whose next poll time has come, the longest-waiting first."""
        now = now or timezone.now()
        return self.filter(enabled=True, next_poll_at__lte=now).order_by("next_poll_at")


class EntryQuerySet(models.QuerySet):
    def visible(self):
        """Entries no rule blocked."""
        return self.filter(blocked_reason="")


class StoryQuerySet(models.QuerySet):
    def in_window(self, start, end):
        """Stories first seen between two aware datetimes."""
        return self.filter(first_seen__gte=start, first_seen__lt=end)

    def with_score(self):
        """Score: outlets x 3 + (6 - best tier) x 2 + rule boosts, more and better sources first."""
        return self.annotate(score=F("outlet_count") * 3 + (6 - F("best_tier")) * 2 + F("boost"))

    def for_inbox(self):
        """Stories with their visible entries and those entries' feeds, in two more queries."""
        from .models import Entry

        entries = Entry.objects.visible().select_related("feed").order_by("published_at")
        return self.filter(entry_count__gt=0).prefetch_related(Prefetch("entries", entries))
