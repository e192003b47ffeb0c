"""Entries stored before the band keys moved onto the entry row are still found afterwards."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from intake import stories
from intake.models import Story
from intake.parsing import ParsedEntry
from intake.text import pack, signature
from tests.factories import FeedFactory

BEFORE = [("intake", "0003_feed_content_digest")]
TITLE = "Anthropic raises $30 billion in new funding round led by sovereign funds"


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_an_entry_stored_before_the_upgrade_is_still_matched_by_a_near_copy():
    now = timezone.now()
    migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    feed = old.get_model("intake", "Feed").objects.create(url="https://a.example/feed", name="A")
    story = old.get_model("intake", "Story").objects.create(
        title=TITLE, first_seen=now, entry_count=1, outlet_count=1
    )
    old.get_model("intake", "Entry").objects.create(
        feed=feed,
        story=story,
        url="https://a.example/1",
        title=TITLE,
        published_at=now - datetime.timedelta(hours=2),
        signature=pack(signature(TITLE)),
    )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    copy = ParsedEntry("https://b.example/2", "", f"{TITLE} - FT", "", now)
    stories.ingest(feed=FeedFactory(), entries=[copy], now=now)

    merged = Story.objects.get()
    assert merged.entry_count == 2 and merged.outlet_count == 2
