"""Two analysts importing the same day at once, on PostgreSQL."""

import threading

import pytest
from django.db import connection

from events.dailyformat import DailyFormatError
from events.dailyformat.importer import import_bytes
from events.models import Citation, Event, Issue
from sources import services as snapshots
from sources.models import Source

from .helpers import SAMPLE


@pytest.fixture(autouse=True)
def first_captures(monkeypatch):
    """The sample cites real sites, and these imports commit: their first captures would resolve
    openai.com and the rest. The races are about the import, so the captures are only noted."""
    queued = []
    monkeypatch.setattr(
        snapshots, "queue_first_capture", lambda *, source_id: queued.append(source_id)
    )
    return queued


def race(worker, count=2):
    barrier = threading.Barrier(count)
    outcomes = []

    def run():
        barrier.wait()
        try:
            outcomes.append(worker())
        except DailyFormatError as refusal:
            outcomes.append(refusal)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_a_new_day_create_one_issue_and_refuse_the_other(postgres, first_captures):
    data = SAMPLE.read_bytes()
    outcomes = race(lambda: import_bytes(data))
    refusals = [o for o in outcomes if isinstance(o, DailyFormatError)]
    assert len(outcomes) == 2 and len(refusals) == 1
    assert refusals[0].errors[0].line == 3
    assert Issue.objects.count() == 1
    assert Event.objects.count() == 5
    assert Source.objects.count() == 18
    assert Citation.objects.count() == 20
    # Each new source still asks for its first capture.
    assert set(Source.objects.values_list("pk", flat=True)) <= set(first_captures)


@pytest.mark.django_db(transaction=True)
def test_two_replaces_of_one_draft_leave_one_complete_copy(postgres):
    data = SAMPLE.read_bytes()
    first = import_bytes(data).issue
    outcomes = race(lambda: import_bytes(data, replace=True))
    assert [o.issue.pk for o in outcomes] == [first.pk, first.pk]
    assert Issue.objects.count() == 1
    assert Event.objects.count() == 5 and Citation.objects.count() == 20
