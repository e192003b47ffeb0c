"""A search matching more than one page of hits: the newest MAX_HITS of all kinds, in order."""

import datetime

import pytest

from events import search as search_module
from events.search import MAX_HITS, search

from .sample import build_sample_issue

pytestmark = pytest.mark.django_db

KINDS = ["event", "signal", "paper", "issue", "conclusion"]
NEWEST = datetime.date(2026, 4, 8)


@pytest.fixture
def two_weeks_of_issues():
    for days in range(14):
        build_sample_issue(date=NEWEST - datetime.timedelta(days=days))
    build_sample_issue(status="draft", date=NEWEST + datetime.timedelta(days=1))


def shown(query):
    return [(hit.date, KINDS.index(hit.kind), hit.url) for hit in search(query)]


@pytest.mark.parametrize("query", ["的", "算力", "OpenAI", "模型 竞争", "资本"])
def test_the_newest_hits_are_shown_as_if_every_kind_were_searched_in_full(
    two_weeks_of_issues, monkeypatch, query
):
    bounded = shown(query)
    # Searching every kind to the end, as search() did before later kinds were bounded by the
    # date of the hits already found, must show the very same hits in the same order.
    monkeypatch.setattr(search_module, "_newer_than", lambda hits: None)

    assert bounded == shown(query)
    assert len(bounded) == MAX_HITS
    assert bounded[0][0] == NEWEST
    # Newest day first; on one day events, signals, papers, the issue, then its conclusions.
    assert [(date, kind) for date, kind, _ in bounded] == sorted(
        ((date, kind) for date, kind, _ in bounded), key=lambda hit: (-hit[0].toordinal(), hit[1])
    )


def test_the_oldest_day_shown_is_cut_between_kinds_its_conclusions_last(two_weeks_of_issues):
    hits = shown("的")  # in every kind of every issue
    newest_kinds = [kind for date, kind, _ in hits if date == NEWEST]
    oldest_kinds = [kind for date, kind, _ in hits if date == hits[-1][0]]

    assert sorted(set(newest_kinds)) == list(range(len(KINDS)))
    assert oldest_kinds == newest_kinds[: len(oldest_kinds)]
    assert KINDS.index("conclusion") not in oldest_kinds


def test_fewer_hits_than_a_page_are_all_shown(two_weeks_of_issues):
    hits = shown("Anthropic")

    assert len(hits) < MAX_HITS
    assert len({date for date, _, _ in hits}) == 14
