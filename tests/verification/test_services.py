"""Verifying and reopening items: transitions, evidence rules, permissions, the log."""

import pytest
from django.core.exceptions import PermissionDenied

from events.fingerprint import content_fingerprint
from events.models import Issue
from sources.models import Source
from verification import services
from verification.models import Evidence, VerificationLog, VerificationStatus

from ..factories import (
    EventFactory,
    IssueFactory,
    PaperFactory,
    SnapshotFactory,
    SocialSignalFactory,
    SourceFactory,
    UserFactory,
    cite,
)
from .helpers import snapshots_of

pytestmark = pytest.mark.django_db
V = VerificationStatus


def approve(issue):
    """Mark the issue approved as the workflow would, with its content fingerprint."""
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.APPROVED, approved_fingerprint=content_fingerprint(issue)
    )


def refused_rules(excinfo):
    return [refusal.rule for refusal in excinfo.value.refusals]


@pytest.mark.parametrize(
    "outcome", ["verified", "partially_verified", "disputed", "refuted", "unverifiable"]
)
def test_an_analyst_records_each_outcome_with_note_evidence_and_log(event, analyst, outcome):
    evidence = snapshots_of(event)
    services.verify(event, by=analyst, outcome=outcome, note="官方公告确认。", evidence=evidence)

    event.refresh_from_db()
    assert event.verification_status == outcome
    assert event.verification_note == "官方公告确认。"
    assert event.verified_by == analyst
    assert event.verified_at is not None
    assert list(event.evidence.all()) == evidence
    log = services.log_for(event).get()
    assert (log.from_status, log.to_status, log.actor) == ("unverified", outcome, analyst)
    assert log.evidence[0]["snapshot"] == evidence[0].pk
    assert log.evidence[0]["text_sha256"] == evidence[0].text_sha256
    row = Evidence.objects.get()
    assert (row.snapshot, row.sha256, row.current) == (evidence[0], evidence[0].sha256, True)


def test_a_chief_editor_may_verify_too(event, editor):
    services.verify(
        event, by=editor, outcome="verified", note="核实。", evidence=snapshots_of(event)
    )
    event.refresh_from_db()
    assert event.verification_status == V.VERIFIED


def test_a_user_without_the_verify_permission_is_refused(event):
    outsider = UserFactory(username="intern")
    with pytest.raises(PermissionDenied):
        services.verify(event, by=outsider, outcome="verified", note="x", evidence=[])
    with pytest.raises(PermissionDenied):
        services.reopen(event, by=outsider, reason="x")
    event.refresh_from_db()
    assert event.verification_status == V.UNVERIFIED
    assert not VerificationLog.objects.exists()


def test_an_unknown_outcome_is_refused(event, analyst):
    for outcome in ("unverified", "approved", "<script>alert(1)</script>"):
        with pytest.raises(services.InvalidVerification):
            services.verify(event, by=analyst, outcome=outcome, note="x", evidence=[])
    assert not VerificationLog.objects.exists()


def test_verified_needs_a_public_note(event, analyst):
    with pytest.raises(services.VerificationRefused) as refused:
        services.verify(
            event, by=analyst, outcome="verified", note="  ", evidence=snapshots_of(event)
        )
    assert refused_rules(refused) == ["public_note"]
    assert "公开说明" in str(refused.value)


@pytest.mark.parametrize("outcome", ["verified", "partially_verified"])
def test_verified_and_partially_verified_need_a_cited_snapshot(event, analyst, outcome):
    with pytest.raises(services.VerificationRefused) as refused:
        services.verify(event, by=analyst, outcome=outcome, note="核实。", evidence=[])
    assert "cited_snapshot" in refused_rules(refused)
    assert "引用来源的成功快照" in str(refused.value)
    event.refresh_from_db()
    assert event.verification_status == V.UNVERIFIED


def test_disputed_may_be_recorded_without_evidence(event, analyst):
    services.verify(event, by=analyst, outcome="disputed", note="说法互相矛盾。", evidence=[])
    event.refresh_from_db()
    assert event.verification_status == V.DISPUTED


def test_evidence_from_a_source_the_item_does_not_cite_is_refused(event, analyst):
    stranger = SnapshotFactory(source=SourceFactory(official=True))
    with pytest.raises(services.VerificationRefused) as refused:
        services.verify(event, by=analyst, outcome="verified", note="核实。", evidence=[stranger])
    assert "evidence_belongs_to_item" in refused_rules(refused)


def test_a_failed_capture_is_not_evidence(analyst):
    item = EventFactory()
    source = SourceFactory(official=True)
    cite(item, source, captured=False)
    failed = SnapshotFactory(source=source, failed=True)
    with pytest.raises(services.VerificationRefused) as refused:
        services.verify(item, by=analyst, outcome="verified", note="核实。", evidence=[failed])
    assert refused_rules(refused) == ["evidence_belongs_to_item", "cited_snapshot"]


@pytest.mark.parametrize("forged", [[999999], ["abc"], [None]])
def test_forged_evidence_ids_are_refused(event, analyst, forged):
    with pytest.raises(services.VerificationRefused) as refused:
        services.verify(event, by=analyst, outcome="verified", note="核实。", evidence=forged)
    assert "evidence_belongs_to_item" in refused_rules(refused)
    assert not VerificationLog.objects.exists()


def test_an_oversized_note_is_refused(event, analyst):
    with pytest.raises(services.InvalidVerification):
        services.verify(
            event, by=analyst, outcome="verified", note="长" * 5000, evidence=snapshots_of(event)
        )


def test_a_verified_event_needs_an_official_source_or_two_publishers(analyst):
    item = EventFactory()
    cite(item, SourceFactory(publisher="Axios", kind=Source.Kind.MEDIA))
    with pytest.raises(services.VerificationRefused) as refused:
        services.verify(
            item, by=analyst, outcome="verified", note="报道。", evidence=snapshots_of(item)
        )
    assert refused_rules(refused) == ["official_or_two_publishers"]
    assert "官方来源或两家不同发布方" in str(refused.value)

    # partially verified is allowed on one outlet's report
    services.verify(
        item,
        by=analyst,
        outcome="partially_verified",
        note="单一报道。",
        evidence=snapshots_of(item),
    )
    item.refresh_from_db()
    assert item.verification_status == V.PARTIALLY_VERIFIED


def test_two_reports_by_the_same_publisher_do_not_count_as_two(analyst):
    item = EventFactory()
    cite(item, SourceFactory(publisher="Reuters"))
    cite(item, SourceFactory(publisher="reuters "))
    with pytest.raises(services.VerificationRefused):
        services.verify(
            item, by=analyst, outcome="verified", note="两篇。", evidence=snapshots_of(item)
        )


def test_a_verified_event_passes_with_two_different_publishers(analyst):
    item = EventFactory()
    cite(item, SourceFactory(publisher="Reuters"))
    cite(item, SourceFactory(publisher="Axios"))
    services.verify(
        item, by=analyst, outcome="verified", note="两家。", evidence=snapshots_of(item)
    )
    item.refresh_from_db()
    assert item.verification_status == V.VERIFIED


def test_a_social_signal_cannot_be_verified_by_its_own_post(analyst):
    signal = SocialSignalFactory(post_url="https://x.com/someone/status/1?utm_source=share")
    post = SourceFactory(url="https://x.com/someone/status/1", kind=Source.Kind.SOCIAL)
    cite(signal, post)
    with pytest.raises(services.VerificationRefused) as refused:
        services.verify(
            signal,
            by=analyst,
            outcome="partially_verified",
            note="帖文。",
            evidence=snapshots_of(signal),
        )
    assert refused_rules(refused) == ["beyond_the_post"]
    assert "帖文之外的证据" in str(refused.value)

    cite(signal, SourceFactory(official=True))
    services.verify(
        signal,
        by=analyst,
        outcome="partially_verified",
        note="帖文是观点；融资事实已被官方公告验证。",
        evidence=snapshots_of(signal),
    )
    signal.refresh_from_db()
    assert signal.verification_status == V.PARTIALLY_VERIFIED


def test_a_paper_is_verified_by_its_arxiv_page(analyst):
    paper = PaperFactory()
    cite(paper, SourceFactory(kind=Source.Kind.PAPER, publisher="arXiv"))
    services.verify(
        paper, by=analyst, outcome="verified", note="论文页面。", evidence=snapshots_of(paper)
    )
    paper.refresh_from_db()
    assert paper.verification_status == V.VERIFIED


def test_rules_come_from_settings(settings, analyst):
    settings.AIDAILY_VERIFICATION = {
        **settings.AIDAILY_VERIFICATION,
        "RULES": {"public_note": {"outcomes": ["verified", "disputed"]}},
    }
    item = EventFactory()
    with pytest.raises(services.VerificationRefused) as refused:
        services.verify(item, by=analyst, outcome="disputed", note="", evidence=[])
    assert refused_rules(refused) == ["public_note"]


def test_a_verdict_cannot_be_overwritten_without_reopening(event, analyst):
    services.verify(event, by=analyst, outcome="disputed", note="矛盾。", evidence=[])
    with pytest.raises(services.InvalidVerification, match="重新打开"):
        services.verify(
            event, by=analyst, outcome="verified", note="核实。", evidence=snapshots_of(event)
        )


@pytest.mark.parametrize(
    "outcome", ["verified", "partially_verified", "disputed", "refuted", "unverifiable"]
)
def test_reopening_returns_each_outcome_to_unverified_with_the_reason_logged(
    event, analyst, editor, outcome
):
    services.verify(event, by=analyst, outcome=outcome, note="核实。", evidence=snapshots_of(event))
    services.reopen(event, by=editor, reason="官方公告已被修改")

    event.refresh_from_db()
    assert event.verification_status == V.UNVERIFIED
    assert event.verified_by is None and event.verified_at is None
    assert not event.evidence.exists()
    assert not Evidence.objects.filter(current=True).exists()
    log = services.log_for(event).first()
    assert (log.from_status, log.to_status, log.actor, log.reason) == (
        outcome,
        "unverified",
        editor,
        "官方公告已被修改",
    )
    assert log.evidence[0]["snapshot"] == snapshots_of(event)[0].pk


def test_reopening_needs_a_reason_and_a_verdict(event, analyst):
    with pytest.raises(services.InvalidVerification, match="还没有核实"):
        services.reopen(event, by=analyst, reason="x")
    services.verify(
        event, by=analyst, outcome="verified", note="核实。", evidence=snapshots_of(event)
    )
    with pytest.raises(services.InvalidVerification, match="原因"):
        services.reopen(event, by=analyst, reason="   ")


def test_items_of_a_published_issue_change_only_by_correction(analyst):
    issue = IssueFactory(published=True)
    item = EventFactory(issue=issue, verified=True)
    with pytest.raises(services.InvalidVerification, match="更正"):
        services.reopen(item, by=analyst, reason="x")
    unverified = EventFactory(issue=issue)
    with pytest.raises(services.InvalidVerification, match="已经发布"):
        services.verify(unverified, by=analyst, outcome="disputed", note="x", evidence=[])


def test_reopening_an_item_sends_its_approved_issue_back_to_review(
    django_capture_on_commit_callbacks, event, analyst, editor
):
    services.verify(
        event, by=analyst, outcome="verified", note="核实。", evidence=snapshots_of(event)
    )
    approve(event.issue)

    with django_capture_on_commit_callbacks(execute=True):
        services.reopen(event, by=editor, reason="数字有误")

    issue = Issue.objects.get(pk=event.issue_id)
    assert issue.status == Issue.Status.IN_REVIEW
    step = issue.transitions.get()
    assert (step.action, step.from_status, step.to_status, step.actor) == (
        "reopen",
        "approved",
        "in_review",
        None,
    )
    assert "数字有误" in step.comment


def test_verifying_is_recorded_in_the_item_history(event, analyst):
    services.verify(
        event, by=analyst, outcome="verified", note="核实。", evidence=snapshots_of(event)
    )
    latest = event.history.first()
    assert latest.verification_status == V.VERIFIED
    assert latest.verification_note == "核实。"
