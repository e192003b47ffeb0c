"""Every kind of publish-gate problem blocks approval, then clears once fixed."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import gate, workflow
from events.models import Citation, Issue
from sources.models import Source
from verification import services

from ..factories import (
    ConclusionFactory,
    EventFactory,
    IssueFactory,
    SnapshotFactory,
    SourceFactory,
    cite,
)
from .helpers import snapshots_of, verify_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(analyst):
    """An issue in review that passes the gate: three conclusions, one verified, captured event."""
    issue = IssueFactory(with_conclusions=3, status=Issue.Status.IN_REVIEW)
    event = EventFactory(issue=issue, rank=1)
    cite(event, SourceFactory(official=True, publisher="OpenAI"))
    verify_all(issue, analyst)
    return issue


def codes(issue):
    return [problem.code for problem in gate.problems(issue)]


def assert_blocks(issue, editor, code):
    assert code in codes(issue)
    with pytest.raises(workflow.InvalidTransition) as refused:
        workflow.perform(issue, "approve", by=editor)
    assert any(problem.code == code for problem in refused.value.problems)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW


def assert_clears(issue, editor):
    assert gate.problems(issue) == []
    workflow.perform(issue, "approve", by=editor)
    assert issue.status == Issue.Status.APPROVED


def test_a_clean_issue_passes(issue, editor):
    assert_clears(issue, editor)


def test_missing_conclusions_block_until_there_are_three(issue, editor):
    issue.conclusions.last().delete()
    assert_blocks(issue, editor, "conclusions")
    ConclusionFactory(issue=issue, position=3)
    assert_clears(issue, editor)


def test_an_empty_issue_is_blocked_until_it_has_an_item(editor, analyst):
    issue = IssueFactory(with_conclusions=3, status=Issue.Status.IN_REVIEW)
    assert_blocks(issue, editor, "empty")
    event = EventFactory(issue=issue, rank=1)
    cite(event, SourceFactory(official=True))
    verify_all(issue, analyst)
    assert_clears(issue, editor)


@pytest.mark.parametrize("outcome", ["disputed", "refuted", "unverifiable"])
def test_an_item_that_is_not_verified_blocks_until_verified(issue, analyst, editor, outcome):
    event = issue.events.get()
    services.reopen(event, by=analyst, reason="再查一遍")
    assert_blocks(issue, editor, "verification")
    services.verify(event, by=analyst, outcome=outcome, note="说法有出入。", evidence=[])
    problem = gate.problems(issue)[0]
    assert problem.item == event
    assert event.get_verification_status_display() in problem.message
    assert_blocks(issue, editor, "verification")
    services.reopen(event, by=analyst, reason="找到了官方公告")
    services.verify(
        event, by=analyst, outcome="verified", note="官方确认。", evidence=snapshots_of(event)
    )
    assert_clears(issue, editor)


def test_an_item_without_sources_blocks_until_one_is_cited(issue, analyst, editor):
    event = EventFactory(issue=issue, rank=2)
    assert_blocks(issue, editor, "no_sources")
    cite(event, SourceFactory(official=True))
    services.verify(
        event, by=analyst, outcome="verified", note="官方。", evidence=snapshots_of(event)
    )
    assert_clears(issue, editor)


def test_a_cited_source_without_a_capture_blocks_until_captured(issue, editor):
    event = issue.events.get()
    uncaptured = SourceFactory(publisher="Reuters")
    cite(event, uncaptured, captured=False, label="Reuters 报道")
    assert_blocks(issue, editor, "snapshot")
    problem = next(p for p in gate.problems(issue) if p.code == "snapshot")
    assert "Reuters 报道" in problem.message
    assert problem.source == uncaptured
    SnapshotFactory(source=uncaptured, failed=True)
    assert_blocks(issue, editor, "snapshot")
    SnapshotFactory(source=uncaptured)
    assert_clears(issue, editor)


def test_a_stale_capture_blocks_until_the_source_is_captured_again(issue, editor, settings):
    settings.AIDAILY_VERIFICATION = {
        **settings.AIDAILY_VERIFICATION,
        "FRESH_CAPTURE_MAX_AGE_HOURS": 6,
    }
    source = issue.events.get().citations.get().source
    old = timezone.now() - datetime.timedelta(hours=7)
    source.snapshots.update(finished_at=old)
    assert_blocks(issue, editor, "stale_snapshot")
    assert "7 小时前" in str(gate.problems(issue)[0])
    SnapshotFactory(source=source, text_sha256=source.snapshots.get().text_sha256)
    assert_clears(issue, editor)


def test_a_verdict_that_no_longer_meets_the_rules_blocks_until_reverified(issue, analyst, editor):
    event = issue.events.get()
    # the verification note, editable in the item form, was emptied after verification
    type(event).objects.filter(pk=event.pk).update(verification_note="")
    assert_blocks(issue, editor, "evidence")
    assert "公开说明" in str(gate.problems(issue)[0])
    services.reopen(event, by=analyst, reason="说明被清空")
    services.verify(
        event, by=analyst, outcome="verified", note="官方确认。", evidence=snapshots_of(event)
    )
    assert_clears(issue, editor)


def test_removing_the_cited_evidence_blocks_until_reverified(issue, analyst, editor):
    event = issue.events.get()
    official = event.citations.get().source
    cite(event, SourceFactory(publisher="Axios", kind=Source.Kind.MEDIA))
    Citation.objects.filter(event=event, source=official).delete()
    assert_blocks(issue, editor, "evidence")
    services.reopen(event, by=analyst, reason="换了来源")
    services.verify(
        event,
        by=analyst,
        outcome="partially_verified",
        note="仅有一家报道。",
        evidence=snapshots_of(event),
    )
    assert_clears(issue, editor)


def test_evidence_whose_source_changed_unnoticed_blocks_until_reverified(issue, analyst, editor):
    event = issue.events.get()
    source = event.citations.get().source
    SnapshotFactory(source=source)  # a new text hash, and no source_changed was delivered
    assert_blocks(issue, editor, "evidence_outdated")
    services.reopen(event, by=analyst, reason="来源有更新")
    services.verify(
        event, by=analyst, outcome="verified", note="官方确认。", evidence=snapshots_of(event)[-1:]
    )
    assert_clears(issue, editor)


def test_an_event_outside_the_coverage_window_blocks_until_flagged_or_redated(issue, editor):
    event = issue.events.get()
    event.occurred_on = issue.coverage_start - datetime.timedelta(days=30)
    event.save()
    assert_blocks(issue, editor, "coverage")
    event.still_relevant = True
    event.save()
    assert_clears(issue, editor)


def test_schedule_and_publish_refuse_while_problems_remain(issue, analyst, editor):
    workflow.perform(issue, "approve", by=editor)
    event = issue.events.get()
    type(event).objects.filter(pk=event.pk).update(verification_status="disputed")
    for action, extra in (
        ("schedule", {"publish_at": timezone.now() + datetime.timedelta(1)}),
        ("publish", {}),
    ):
        with pytest.raises(workflow.InvalidTransition, match="发布检查未通过"):
            workflow.perform(issue, action, by=editor, **extra)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.APPROVED


def test_the_gate_costs_the_same_queries_for_one_item_or_many(
    issue, analyst, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as one:
        gate.problems(issue)
    for rank in range(2, 7):
        event = EventFactory(issue=issue, rank=rank)
        cite(event, SourceFactory(official=True))
    verify_all_unverified(issue, analyst)
    with django_assert_max_num_queries(len(one)):
        assert gate.problems(issue) == []


def verify_all_unverified(issue, analyst):
    for item in issue.items():
        if item.verification_status == "unverified":
            services.verify(
                item, by=analyst, outcome="verified", note="官方。", evidence=snapshots_of(item)
            )


def test_a_truncated_capture_is_a_warning_that_does_not_block(issue, editor):
    source = issue.events.get().citations.get().source
    latest = source.snapshots.order_by("-pk").first()
    SnapshotFactory(
        source=source, truncated=True, sha256=latest.sha256, text_sha256=latest.text_sha256
    )
    out = StringIO()

    call_command("gate", issue.date.isoformat(), stdout=out)  # exits 0: nothing blocks

    warned = gate.warnings(issue)
    assert [(w.code, w.source) for w in warned] == [("truncated_snapshot", source)]
    assert "只保存了前面一部分" in warned[0].message
    assert str(warned[0]) in out.getvalue() and "通过发布检查" in out.getvalue()
    assert_clears(issue, editor)


def test_a_complete_capture_gives_no_warning(issue):
    assert gate.warnings(issue) == []
