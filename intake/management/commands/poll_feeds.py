from django.core.management.base import BaseCommand, CommandError

from intake import services
from intake.models import Feed, Poll


class Command(BaseCommand):
    help = "Poll watched feeds now, in the foreground: new entries, unchanged (304), errors."

    def add_arguments(self, parser):
        parser.add_argument("--feed", type=int, help="only this feed id")

    def handle(self, *args, feed=None, **options):
        feeds = Feed.objects.filter(enabled=True) if feed is None else Feed.objects.filter(pk=feed)
        if feed is not None and not feeds.exists():
            raise CommandError(f"no feed {feed}")
        totals = {"new": 0, "unchanged": 0, "errors": 0}
        for item in feeds.order_by("pk"):
            poll = services.poll(feed=item)
            if poll.outcome == Poll.Outcome.UNCHANGED:
                totals["unchanged"] += 1
                line = "unchanged (304)"
            elif poll.outcome == Poll.Outcome.ERROR:
                totals["errors"] += 1
                line = f"error: {poll.error}"
            else:
                totals["new"] += poll.new_entries
                line = f"{poll.new_entries} new entries"
                if poll.skipped:
                    line += f", {len(poll.skipped)} skipped: " + "; ".join(poll.skipped[:3])
            self.stdout.write(f"feed {item.pk} {item.name}: {line}")
        self.stdout.write(
            f"{totals['new']} new entries, {totals['unchanged']} unchanged, "
            f"{totals['errors']} errors"
        )
