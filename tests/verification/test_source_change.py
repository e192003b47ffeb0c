"""A cited source changes after verification: the verdict is reopened, or editors are warned."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.utils import timezone

from events import workflow
from events.fingerprint import content_fingerprint
from events.models import Issue, TransitionLog
from sources.signals import source_changed
from verification import services
from verification.models import SourceChangeAlert, VerificationLog, VerificationStatus

from ..factories import EventFactory, IssueFactory, SnapshotFactory, SourceFactory, cite
from .helpers import snapshots_of, verify_all

pytestmark = pytest.mark.django_db


def capture(source, text):
    """A succeeded snapshot of the source whose extracted text is `text`."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    snapshot = SnapshotFactory(source=source, text_sha256=digest)
    snapshot.text_file.save("text.txt", ContentFile(text.encode()))
    return snapshot


def changed(source, text, previous):
    """What the capture pipeline does when the text differs: a new snapshot and the signal."""
    snapshot = capture(source, text)
    source_changed.send(sender=type(source), source=source, snapshot=snapshot, previous=previous)
    return snapshot


@pytest.fixture
def approved_issue(analyst, editor):
    """An approved issue whose one event was verified on OpenAI's announcement."""
    issue = IssueFactory(with_conclusions=3)
    event = EventFactory(issue=issue, rank=1)
    source = SourceFactory(official=True, publisher="OpenAI", url="https://openai.com/index/a/")
    cite(event, source, captured=False)
    capture(source, "OpenAI 完成 1220 亿美元融资。\n投后估值 8520 亿美元。")
    verify_all(issue, analyst)
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.APPROVED, approved_fingerprint=content_fingerprint(issue)
    )
    return issue


def test_new_content_reopens_the_item_and_sends_the_approved_issue_back_to_review(
    django_capture_on_commit_callbacks, approved_issue
):
    event = approved_issue.events.get()
    source = event.citations.get().source
    old = snapshots_of(event)[0]

    with django_capture_on_commit_callbacks(execute=True):
        new = changed(source, "OpenAI 完成 1100 亿美元融资。\n投后估值 8520 亿美元。", old)

    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.UNVERIFIED
    log = services.log_for(event).first()
    assert (log.from_status, log.to_status, log.actor) == ("verified", "unverified", None)
    assert "OpenAI" in log.reason and source.url in log.reason
    assert f"#{old.pk} → #{new.pk}" in log.reason
    assert "-OpenAI 完成 1220 亿美元融资。" in log.diff
    assert "+OpenAI 完成 1100 亿美元融资。" in log.diff

    approved_issue.refresh_from_db()
    assert approved_issue.status == Issue.Status.IN_REVIEW
    step = approved_issue.transitions.get()
    assert (step.action, step.from_status, step.to_status, step.actor) == (
        "reopen",
        "approved",
        "in_review",
        None,
    )
    assert "OpenAI" in step.comment


def test_a_scheduled_issue_goes_back_to_review_and_loses_its_time(
    django_capture_on_commit_callbacks, approved_issue
):
    Issue.objects.filter(pk=approved_issue.pk).update(
        status=Issue.Status.SCHEDULED, publish_at=timezone.now() + timezone.timedelta(hours=2)
    )
    event = approved_issue.events.get()
    with django_capture_on_commit_callbacks(execute=True):
        changed(event.citations.get().source, "全新的内容", snapshots_of(event)[0])
    approved_issue.refresh_from_db()
    assert approved_issue.status == Issue.Status.IN_REVIEW
    assert approved_issue.publish_at is None


def test_the_same_content_captured_again_changes_nothing(approved_issue):
    event = approved_issue.events.get()
    source = event.citations.get().source
    changed(source, "OpenAI 完成 1220 亿美元融资。\n投后估值 8520 亿美元。", None)
    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.VERIFIED
    assert VerificationLog.objects.count() == 1


def test_a_change_of_a_source_not_used_as_evidence_leaves_the_verdict(approved_issue):
    other = SourceFactory()
    changed(other, "无关的页面", None)
    event = approved_issue.events.get()
    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.VERIFIED


def test_the_signal_delivered_twice_reopens_once(approved_issue):
    event = approved_issue.events.get()
    source = event.citations.get().source
    new = changed(source, "改过的内容", None)
    source_changed.send(sender=type(source), source=source, snapshot=new, previous=None)
    assert VerificationLog.objects.filter(to_status="unverified").count() == 1


def test_a_failed_capture_does_not_reopen(approved_issue):
    event = approved_issue.events.get()
    source = event.citations.get().source
    failed = SnapshotFactory(source=source, failed=True, text_sha256="")
    source_changed.send(sender=type(source), source=source, snapshot=failed, previous=None)
    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.VERIFIED


def test_after_publication_the_record_stays_and_editors_get_an_alert(
    django_capture_on_commit_callbacks, approved_issue, editor
):
    Issue.objects.filter(pk=approved_issue.pk).update(
        status=Issue.Status.PUBLISHED, published_at=timezone.now()
    )
    event = approved_issue.events.get()
    source = event.citations.get().source
    old = snapshots_of(event)[0]
    new = changed(source, "OpenAI 更新了融资数字。", old)

    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.VERIFIED  # the public record stands
    alert = SourceChangeAlert.objects.get()
    assert (alert.item, alert.source, alert.evidence_snapshot, alert.snapshot) == (
        event,
        source,
        old,
        new,
    )
    assert "+OpenAI 更新了融资数字。" in alert.diff
    assert "已发布后来源变化" in services.log_for(event).first().reason

    # a correction closes the alert
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(approved_issue, by=editor, text="融资金额以官方最新公告为准。")
    alert.refresh_from_db()
    assert alert.resolution == SourceChangeAlert.Resolution.CORRECTED
    assert alert.resolved_by == editor
    assert not TransitionLog.objects.filter(action="reopen").exists()


def test_an_editor_may_dismiss_an_alert_but_an_analyst_may_not(approved_issue, analyst, editor):
    Issue.objects.filter(pk=approved_issue.pk).update(
        status=Issue.Status.PUBLISHED, published_at=timezone.now()
    )
    event = approved_issue.events.get()
    changed(event.citations.get().source, "改动", None)
    alert = SourceChangeAlert.objects.get()
    with pytest.raises(PermissionDenied):
        services.dismiss_alert(alert, by=analyst)
    assert services.dismiss_alert(alert, by=editor) is True
    assert services.dismiss_alert(alert, by=editor) is False
    alert.refresh_from_db()
    assert alert.resolution == SourceChangeAlert.Resolution.DISMISSED


def test_later_changes_after_publication_update_the_one_open_alert(approved_issue):
    Issue.objects.filter(pk=approved_issue.pk).update(
        status=Issue.Status.PUBLISHED, published_at=timezone.now()
    )
    event = approved_issue.events.get()
    source = event.citations.get().source
    changed(source, "第一次改动", None)
    latest = changed(source, "第二次改动", None)
    alert = SourceChangeAlert.objects.get()
    assert alert.snapshot == latest
    assert "+第二次改动" in alert.diff
    assert "已发布后来源变化" in services.log_for(event).first().reason
    assert services.log_for(event).filter(reason__startswith="已发布后来源变化").count() == 1
