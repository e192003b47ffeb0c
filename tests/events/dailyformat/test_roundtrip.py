"""Export in the same format: import → export → import → export is byte-identical, nothing lost."""

import datetime

import pytest

from events.dailyformat.importer import import_bytes, import_text
from events.dailyformat.parser import parse
from events.dailyformat.writer import plain, write_markdown, write_text

from ..test_markdown_limits import grows_linearly
from .helpers import SAMPLE, content, full_issue, seed_bytes

pytestmark = pytest.mark.django_db


def round_trip(first_export: str) -> str:
    """Import an export over its own draft and export again."""
    issue = import_text(first_export, replace=True).issue
    return write_markdown(issue)


def test_project_sample_round_trip_is_a_fixpoint():
    issue = import_bytes(SAMPLE.read_bytes()).issue
    first = write_markdown(issue)
    assert round_trip(first) == first


def test_project_sample_export_is_the_sample_file_itself():
    issue = import_bytes(SAMPLE.read_bytes()).issue
    assert write_markdown(issue) == SAMPLE.read_text(encoding="utf-8")


def test_seed_round_trip_is_a_fixpoint_and_the_dollar_stays_unescaped():
    issue = import_bytes(seed_bytes()).issue
    first = write_markdown(issue)
    assert "$10 billion" in first and "\\$" not in first
    assert round_trip(first) == first


def test_generated_issue_with_every_field_round_trips_without_losing_anything():
    issue = full_issue()
    before = content(issue)
    first = write_markdown(issue)
    second = round_trip(first)
    assert second == first
    assert content(issue) == before


def test_generated_english_issue_round_trips_with_english_labels():
    issue = full_issue(language="en", date=datetime.date(2026, 7, 1))
    before = content(issue)
    first = write_markdown(issue)
    assert "Date: 2026-07-01 (Asia/Shanghai) Coverage window: 2026-06-24 to 2026-07-01" in first
    assert "\nWhat happened: " in first and "\n## Top 2 events\n" in first
    assert parse(first).language == "en"
    assert round_trip(first) == first
    assert content(issue) == before


def test_export_protects_lines_that_would_read_as_items_or_fields():
    first = write_markdown(full_issue())
    assert "\n2\\. 这一行以编号开头" in first
    assert "\n为什么重要\\：这一行以另一个字段名开头" in first
    assert "\n来源\\：这一段恰好以字段名开头" in first
    assert "[Media : A \\| B 报道](https://media.example.com/a?id=1)" in first


def test_text_digest_is_plain_and_complete():
    issue = import_bytes(SAMPLE.read_bytes()).issue
    digest = write_text(issue)
    assert digest.startswith(
        "AI前沿发展日报 | 2026-04-08\n覆盖窗口：重点核查 2026-03-31 至 2026-04-08"
    )
    assert "【今日 Top 5 大事件】" in digest
    assert "  - arXiv：ResearchGym: https://arxiv.org/abs/2602.15112" in digest
    assert "(<" not in digest


def test_text_digest_strips_markup_from_analyst_text():
    issue = full_issue()
    issue.overview = "看 [公告](https://lab.example.com/a) 和 **重点**。<script>alert(1)</script>"
    issue.save()
    digest = write_text(issue)
    assert "看 公告 (https://lab.example.com/a) 和 重点。alert(1)" in digest
    assert "<script>" not in digest


def test_export_costs_the_same_queries_for_two_events_or_twelve():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import EventFactory, cite

    issue = full_issue()
    with CaptureQueriesContext(connection) as two:
        write_markdown(issue)
    for rank in range(3, 13):
        cite(EventFactory(issue=issue, rank=rank))
    with CaptureQueriesContext(connection) as twelve:
        text = write_markdown(issue)
    assert "今日 Top 12 大事件" in text
    assert len(two) == len(twelve) <= 15


@pytest.mark.parametrize(
    "make",
    [lambda n: "[" * n + "x" + "]" * n, lambda n: "[a](b" * n, lambda n: "<a" * n],
    ids=["nested-brackets", "unclosed-links", "unclosed-tags"],
)
def test_text_digest_of_hostile_markdown_costs_time_in_proportion_to_its_length(make):
    linear, ratio = grows_linearly(make, 100_000, render=plain)
    assert linear, f"4× the text cost {ratio:.1f}× the time"


def test_text_digest_keeps_links_and_drops_tags():
    assert plain("见 [公告](https://e.com/a_(b)) 与 <b>加粗</b>，a < b") == (
        "见 公告 (https://e.com/a_(b)) 与 加粗，a < b"
    )
