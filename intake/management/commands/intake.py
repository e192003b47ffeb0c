import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from intake import services


class Command(BaseCommand):
    help = "Print the inbox's stories as JSON: intake [--since YYYY-MM-DD] --json"

    def add_arguments(self, parser):
        parser.add_argument("--since", help="stories first seen on or after this date")
        parser.add_argument("--json", action="store_true", help="print JSON (the only format)")

    def handle(self, *args, since=None, **options):
        if since:
            try:
                day = datetime.date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"--since takes YYYY-MM-DD, not {since!r}") from exc
        else:
            day = timezone.localdate() - datetime.timedelta(days=1)
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        stories = services.stories_as_json(since=start)
        self.stdout.write(json.dumps(stories, ensure_ascii=False, indent=2))
