"""python manage.py prune_snapshot_files [--older-than HOURS] [--delete]: files no snapshot uses.

A worker killed in the middle of a batch leaves a WARC file that no snapshot points at (the
batch is captured again, into a new file). This lists such files under snapshots/, and deletes
them with --delete. Files younger than --older-than hours are left alone: the file of a batch
still being written has no snapshot pointing at it yet.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sources.models import Snapshot

ROOT = "snapshots"


def _files(storage, directory: str):
    """Every file name under the directory, depth first (nothing when it does not exist)."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}"
    for name in sorted(directories):
        yield from _files(storage, f"{directory}/{name}")


class Command(BaseCommand):
    help = "List files under snapshots/ that no snapshot points at; --delete removes them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=24.0,
            metavar="HOURS",
            help="only files last written this many hours ago or more (default 24, at least 1)",
        )
        parser.add_argument("--delete", action="store_true", help="delete the files listed")

    def handle(self, *args, older_than: float, delete: bool, **options):
        if older_than < 1:
            raise CommandError(
                "--older-than must be at least 1 hour: the file of a batch being written has "
                "no snapshot pointing at it yet"
            )
        storage = Snapshot._meta.get_field("warc_file").storage
        used = set()
        for field in ("warc_file", "text_file"):
            used.update(Snapshot.objects.exclude(**{field: ""}).values_list(field, flat=True))
        cutoff = timezone.now() - timedelta(hours=older_than)
        unused = [
            name
            for name in _files(storage, ROOT)
            if name not in used and storage.get_modified_time(name) < cutoff
        ]
        total = 0
        for name in unused:
            size = storage.size(name)
            total += size
            if delete:
                storage.delete(name)
            self.stdout.write(f"{'deleted' if delete else 'unused'}\t{size}\t{name}")
        verb = "deleted" if delete else "found (run again with --delete to remove them)"
        self.stdout.write(
            self.style.SUCCESS(f"{len(unused)} unused file(s), {total} bytes, {verb}")
        )
