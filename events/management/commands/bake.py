"""`python manage.py bake`: render every published page to STATIC_PAGES_ROOT again."""

from django.core.management.base import BaseCommand, CommandError

from events.static_pages import baker, layout


class Command(BaseCommand):
    help = (
        "Render every published issue page, the latest page, the archive, the feeds and the "
        "sitemap to STATIC_PAGES_ROOT (after a template or translation change); only files "
        "whose bytes changed are rewritten, files of issues no longer published are removed."
    )

    def handle(self, *args, **options):
        if layout.root() is None:
            raise CommandError("STATIC_PAGES_ROOT is empty: baking is turned off.")
        result = baker.bake_everything()
        self.stdout.write(
            f"{len(result.written)} written, {len(result.removed)} removed, "
            f"{result.unchanged} unchanged in {layout.root()}"
        )
