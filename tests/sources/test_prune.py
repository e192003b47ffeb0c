"""python manage.py prune_snapshot_files: the files a killed worker left, and nothing else."""

import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from sources import pipeline

from ..factories import SourceFactory
from .conftest import html_page

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("prune_snapshot_files", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def kept():
    """A finished capture: its WARC and its text are in use."""
    body = html_page("Kept", "A capture whose files are in use. " * 10).encode()
    return pipeline.capture_from_bytes(SourceFactory(), body, content_type="text/html")


HALF_A_BATCH = b"\x1f\x8b half a batch"


def leftover(storage, name, *, hours_old):
    """A file as a killed worker left it, last written `hours_old` hours ago."""
    name = storage.save(name, ContentFile(HALF_A_BATCH))
    then = time.time() - hours_old * 3600
    os.utime(storage.path(name), (then, then))
    return name


def test_lists_only_old_files_no_snapshot_points_at(kept):
    storage = kept.warc_file.storage
    old = leftover(storage, "snapshots/2026/04/07/1-010203000000.warc.gz", hours_old=48)
    fresh = leftover(storage, "snapshots/2026/11/29/2-010203000000.warc.gz", hours_old=0.1)
    for name in (kept.warc_file.name, kept.text_file.name):  # in use, however old
        os.utime(storage.path(name), (0, 0))

    output = run()

    assert f"unused\t{len(HALF_A_BATCH)}\t{old}" in output
    assert fresh not in output  # a batch may still be writing it
    assert kept.warc_file.name not in output and kept.text_file.name not in output
    assert "1 unused file(s)" in output
    assert storage.exists(old)  # listing deletes nothing


def test_delete_removes_what_it_lists_and_keeps_files_in_use(kept):
    storage = kept.warc_file.storage
    old = leftover(storage, "snapshots/2026/04/07/1-010203000000.warc.gz", hours_old=48)

    output = run("--delete")

    assert f"deleted\t{len(HALF_A_BATCH)}\t{old}" in output and "1 unused file(s)" in output
    assert not storage.exists(old)
    assert storage.exists(kept.warc_file.name) and storage.exists(kept.text_file.name)
    kept.refresh_from_db()
    assert "A capture whose files are in use" in kept.text_file.read().decode()


def test_a_window_too_short_to_be_safe_is_refused(kept):
    with pytest.raises(CommandError, match="at least 1 hour"):
        run("--older-than", "0.5")


def test_nothing_stored_yet_finds_nothing():
    assert "0 unused file(s)" in run()
