from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake import opml


class Command(BaseCommand):
    help = "Watch every feed of an OPML file (a feed reader's export)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            added, refused = opml.import_feeds(Path(path).read_bytes()[: opml.MAX_OPML_BYTES + 1])
        except (OSError, opml.OPMLError) as exc:
            raise CommandError(str(exc)) from exc
        for reason in refused:
            self.stderr.write(f"refused {reason}")
        self.stdout.write(f"{added} feeds added, {len(refused)} refused")
