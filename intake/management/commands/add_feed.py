from django.core.management.base import BaseCommand, CommandError

from intake import services
from intake.models import Feed
from sources.fetcher import RefusedURL


class Command(BaseCommand):
    help = "Watch a feed: add_feed URL [--name NAME] [--kind official|media|social|paper|other]"

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument("--name", default="")
        parser.add_argument("--kind", default=Feed.Kind.MEDIA, choices=Feed.Kind.values)
        parser.add_argument("--publisher", default="")

    def handle(self, *args, url, name, kind, publisher, **options):
        try:
            feed = services.add_feed(url=url, name=name, kind=kind, publisher=publisher)
        except RefusedURL as exc:
            raise CommandError(f"refused: {exc.message}") from exc
        self.stdout.write(f"feed {feed.pk}: {feed.name} <{feed.url}> ({feed.kind})")
