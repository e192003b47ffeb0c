"""`python manage.py bake [DATE ...]`: render published pages to STATIC_PAGES_ROOT again."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from events.static_pages import baker, layout


class Command(BaseCommand):
    help = (
        "Render every published issue page, the latest page, the archive, the feeds and the "
        "sitemap to STATIC_PAGES_ROOT (after a template or translation change); only files "
        "whose bytes changed are rewritten, files of issues no longer published are removed. "
        "With dates: only those issues and the site pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("dates", nargs="*", type=datetime.date.fromisoformat)

    def handle(self, *args, dates, **options):
        if layout.root() is None:
            raise CommandError("STATIC_PAGES_ROOT is empty: baking is turned off.")
        if dates:
            paths = [f"/issues/{day.isoformat()}/" for day in dates]
            result = baker.bake([*layout.SITE_PAGES, *paths])
        else:
            result = baker.bake_everything()
        self.stdout.write(
            f"{len(result.written)} written, {len(result.removed)} removed, "
            f"{result.unchanged} unchanged in {layout.root()}"
        )
