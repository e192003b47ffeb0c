"""Rows inserted in bulk (COPY on PostgreSQL) read back exactly as the ORM would have saved them."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from aidaily import bulkload
from intake.models import Entry, Story

from ..factories import FeedFactory

pytestmark = pytest.mark.django_db

AWKWARD = 'tab\there, new\nline, back\\slash, "quotes", 中文, \\N and \\.'


def _entry(feed, story, url: str, **fields) -> Entry:
    defaults = {
        "title": AWKWARD,
        "summary": "",
        "published_at": datetime(2026, 4, 8, 1, 2, 3, 456789, tzinfo=UTC),
        "signature": b"\x00\\\n\t\xff",
        "band_0": -(2**63),
        "band_5": 2**63 - 1,
    }
    return Entry(feed=feed, story=story, url=url, **{**defaults, **fields})


def test_rows_read_back_with_every_awkward_value_intact():
    feed = FeedFactory()
    (story,) = bulkload.load(
        Story, [Story(title=AWKWARD, first_seen=datetime.now(UTC))], with_pks=True
    )
    bulkload.load(Entry, [_entry(feed, story, "https://example.org/a")])

    stored = Entry.objects.get()
    assert stored.story_id == story.pk
    assert stored.title == AWKWARD
    assert bytes(stored.signature) == b"\x00\\\n\t\xff"
    assert stored.published_at == datetime(2026, 4, 8, 1, 2, 3, 456789, tzinfo=UTC)
    assert (stored.band_0, stored.band_5) == (-(2**63), 2**63 - 1)
    assert Story.objects.get().title == AWKWARD
    assert Story.objects.get().updated_at is not None  # auto_now is applied as on save()


def test_ids_taken_for_new_rows_are_theirs_and_later_rows_get_new_ones():
    stories = bulkload.load(
        Story, [Story(title=f"s{n}", first_seen=datetime.now(UTC)) for n in range(3)], with_pks=True
    )
    later = Story.objects.create(title="later", first_seen=datetime.now(UTC))

    assert sorted(Story.objects.values_list("pk", flat=True)) == sorted(
        [s.pk for s in stories] + [later.pk]
    )
    assert later.pk not in {s.pk for s in stories}


def test_a_duplicate_url_is_an_integrity_error_and_writes_nothing():
    feed = FeedFactory()
    (story,) = bulkload.load(Story, [Story(title="s", first_seen=datetime.now(UTC))], with_pks=True)
    bulkload.load(Entry, [_entry(feed, story, "https://example.org/taken")])

    with pytest.raises(IntegrityError), transaction.atomic():
        bulkload.load(
            Entry,
            [
                _entry(feed, story, "https://example.org/new"),
                _entry(feed, story, "https://example.org/taken"),
            ],
        )

    assert sorted(Entry.objects.values_list("url", flat=True)) == ["https://example.org/taken"]


def test_nothing_to_load_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert bulkload.load(Entry, []) == []
