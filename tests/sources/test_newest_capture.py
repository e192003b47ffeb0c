"""A source's newest successful capture: one question, one query, the same answer everywhere."""

from datetime import timedelta

import pytest
from django.db.models import OuterRef
from django.utils import timezone

from sources.models import Snapshot, Source

from ..factories import SnapshotFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _history(source, now):
    """An older success, the newest success, then a later failure and a capture still queued."""
    SnapshotFactory(source=source, finished_at=now - timedelta(hours=5))
    newest = SnapshotFactory(source=source, finished_at=now - timedelta(hours=1))
    SnapshotFactory(source=source, failed=True, finished_at=now)
    SnapshotFactory(source=source, queued=True)
    return newest


def test_newest_successful_is_the_latest_finished_success_not_a_later_failure(
    django_assert_num_queries,
):
    now = timezone.now()
    source = SourceFactory()
    newest = _history(source, now)
    with django_assert_num_queries(1):
        assert Snapshot.objects.newest_successful(source).first() == newest
    assert source.latest_succeeded_snapshot() == newest


def test_newest_successful_prefers_the_later_finish_over_the_higher_id():
    now = timezone.now()
    source = SourceFactory()
    # A capture retried after a later one was asked for finishes last: it is the newest.
    finished_last = SnapshotFactory(source=source, finished_at=now)
    SnapshotFactory(source=source, finished_at=now - timedelta(hours=2))
    assert Snapshot.objects.newest_successful(source).first() == finished_last


def test_newest_successful_of_many_sources_costs_one_query(django_assert_num_queries):
    now = timezone.now()
    sources = [SourceFactory() for _ in range(6)]
    newest = {source.pk: _history(source, now) for source in sources[:5]}
    never_captured = sources[5]
    SnapshotFactory(source=never_captured, failed=True)
    with django_assert_num_queries(1):
        rows = list(Snapshot.objects.newest_successful_of([s.pk for s in sources]))
    assert {row.source_id: row for row in rows} == newest
    assert never_captured.pk not in {row.source_id for row in rows}


def test_newest_successful_as_a_subquery_annotates_every_source_in_one_query(
    django_assert_num_queries,
):
    now = timezone.now()
    sources = [SourceFactory() for _ in range(4)]
    newest = {source.pk: _history(source, now).pk for source in sources[:3]}
    subquery = Snapshot.objects.newest_successful(OuterRef("pk")).values("pk")[:1]
    with django_assert_num_queries(1):
        found = dict(
            Source.objects.filter(pk__in=[s.pk for s in sources])
            .annotate(newest=subquery)
            .values_list("pk", "newest")
        )
    assert found == {**newest, sources[3].pk: None}


def test_content_hash_is_the_text_hash_or_else_the_body_hash():
    with_text = SnapshotFactory(text_sha256="a" * 64, sha256="b" * 64)
    without_text = SnapshotFactory(text_sha256="", sha256="b" * 64)
    assert with_text.content_hash() == "a" * 64
    assert without_text.content_hash() == "b" * 64
