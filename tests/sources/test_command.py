"""python manage.py snapshot_sources [--issue DATE] [--stale]."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sources import tasks

from ..factories import CitationFactory, IssueFactory, SnapshotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    monkeypatch.setattr(tasks.capture_snapshot, "delay", lambda pk: None)
    monkeypatch.setattr(tasks.capture_snapshots, "delay", lambda pks: None)


def run(*args):
    out = StringIO()
    call_command("snapshot_sources", *args, stdout=out)
    return out.getvalue()


def test_issue_option_queues_only_that_issues_sources():
    issue, other = IssueFactory(), IssueFactory()
    mine = CitationFactory(event__issue=issue).source
    theirs = CitationFactory(event__issue=other).source

    output = run("--issue", issue.date.isoformat())

    assert mine.url in output and theirs.url not in output
    assert "queued captures of 1 source(s)" in output


def test_stale_option_skips_sources_captured_in_the_last_day():
    fresh = CitationFactory().source
    SnapshotFactory(source=fresh)
    stale = CitationFactory().source
    SnapshotFactory(source=stale, finished_at=timezone.now() - timedelta(days=2))

    output = run("--stale")

    assert stale.url in output and fresh.url not in output


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "'; DROP TABLE sources_source;--"])
def test_a_bad_issue_date_is_a_clear_error(value):
    with pytest.raises(CommandError, match="--issue wants a date"):
        run("--issue", value)


def test_an_issue_without_sources_is_an_error():
    with pytest.raises(CommandError, match="no issue dated 2030-01-01"):
        run("--issue", "2030-01-01")
