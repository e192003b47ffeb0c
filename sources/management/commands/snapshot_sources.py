"""python manage.py snapshot_sources [--issue DATE] [--stale]: queue captures of sources."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sources import services
from sources.models import Source


class Command(BaseCommand):
    help = "Queue captures of cited sources (all, one issue's, or only those not captured lately)."

    def add_arguments(self, parser):
        parser.add_argument("--issue", metavar="DATE", help="only sources cited by this issue")
        parser.add_argument(
            "--stale",
            action="store_true",
            help="only sources without a successful capture in the last 24 hours",
        )

    def handle(self, *args, issue=None, stale=False, **options):
        sources = Source.objects.filter(citations__isnull=False).distinct()
        if issue:
            try:
                day = datetime.date.fromisoformat(issue)
            except ValueError as exc:
                raise CommandError(f"--issue wants a date like 2026-04-08, not {issue!r}") from exc
            sources = sources.filter(citations__issue__date=day)
            if not sources.exists():
                raise CommandError(f"no issue dated {day} citing any source")
        if stale:
            sources = sources.not_captured_since(timezone.now() - datetime.timedelta(hours=24))
        snapshots = services.request_captures(sources.order_by("pk"))
        for snapshot in snapshots:
            self.stdout.write(
                f"{snapshot.get_status_display()}\t#{snapshot.pk}\t{snapshot.source.url}"
            )
        self.stdout.write(self.style.SUCCESS(f"queued captures of {len(snapshots)} source(s)"))
