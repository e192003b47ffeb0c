from django.core.management.base import BaseCommand

from intake import opml
from intake.models import Feed


class Command(BaseCommand):
    help = "Print the watched feeds as OPML, for a feed reader or another newsroom."

    def handle(self, *args, **options):
        self.stdout.write(opml.export(Feed.objects.all()).decode("utf-8"))
