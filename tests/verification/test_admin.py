"""The verification admin: status column, verify page, gate panel, alerts, queue, dashboard."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Issue
from sources.signals import source_changed
from verification import services
from verification.models import SourceChangeAlert, VerificationStatus

from ..factories import (
    EventFactory,
    IssueFactory,
    ReviewCommentFactory,
    SnapshotFactory,
    SourceFactory,
    UserFactory,
    cite,
)
from .helpers import snapshots_of, verify_all

pytestmark = pytest.mark.django_db


def verify_page(item):
    return reverse("admin:events_event_verify", args=[item.pk])


def issue_page(issue):
    return reverse("admin:events_issue_change", args=[issue.pk])


def test_item_list_shows_the_status_column_and_filters_by_status(analyst_client, event, analyst):
    verified = EventFactory(title="已核实的那条")
    cite(verified, SourceFactory(official=True))
    verify_all(verified.issue, analyst)
    url = reverse("admin:events_event_changelist")
    page = analyst_client.get(url).content.decode()
    assert "verification-unverified" in page and "verification-verified" in page
    assert verify_page(event) in page

    filtered = analyst_client.get(url, {"verification_status": "verified"}).content.decode()
    assert "已核实的那条" in filtered
    assert event.title not in filtered


def test_the_verify_page_offers_only_the_cited_sources_captures(analyst_client, event):
    stranger = SnapshotFactory(source=SourceFactory(publisher="Elsewhere"))
    response = analyst_client.get(verify_page(event))
    assert response.status_code == 200
    page = response.content.decode()
    own = snapshots_of(event)[0]
    assert f'value="{own.pk}"' in page
    assert f'value="{stranger.pk}"' not in page
    assert "保存核实结论" in page


def test_an_analyst_verifies_from_the_admin(analyst_client, analyst, event):
    evidence = snapshots_of(event)[0]
    response = analyst_client.post(
        verify_page(event),
        {
            "action": "verify",
            "outcome": "verified",
            "note": "官方公告确认。",
            "evidence": [evidence.pk],
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.verification_status, event.verified_by) == ("verified", analyst)
    page = analyst_client.get(verify_page(event)).content.decode()
    assert "官方公告确认。" in page
    assert "重新打开" in page
    assert "保存核实结论" not in page


def test_a_refusal_names_the_rule_on_the_page(analyst_client, event):
    response = analyst_client.post(
        verify_page(event), {"action": "verify", "outcome": "verified", "note": "", "evidence": []}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "公开说明" in page and "引用来源的成功快照" in page
    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.UNVERIFIED


def test_forged_evidence_from_another_source_is_refused(analyst_client, event):
    stranger = SnapshotFactory(source=SourceFactory(official=True))
    response = analyst_client.post(
        verify_page(event),
        {"action": "verify", "outcome": "verified", "note": "x", "evidence": [stranger.pk]},
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.UNVERIFIED


def test_a_script_in_the_note_is_shown_as_text(analyst_client, event):
    payload = '<script>alert("x")</script>'
    analyst_client.post(
        verify_page(event),
        {
            "action": "verify",
            "outcome": "verified",
            "note": payload,
            "evidence": [snapshots_of(event)[0].pk],
        },
    )
    page = analyst_client.get(verify_page(event)).content.decode()
    assert payload not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_staff_without_the_verify_permission_get_403(client, event):
    client.force_login(UserFactory(username="intern"))
    assert client.get(verify_page(event)).status_code == 403
    response = client.post(verify_page(event), {"action": "verify", "outcome": "verified"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.UNVERIFIED


def test_an_editor_reopens_from_the_admin_with_a_reason(editor_client, analyst, editor, event):
    verify_all(event.issue, analyst)
    missing = editor_client.post(verify_page(event), {"action": "reopen", "reason": ""})
    assert missing.status_code == 200
    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.VERIFIED
    editor_client.post(verify_page(event), {"action": "reopen", "reason": "金额需复核"})
    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.UNVERIFIED
    assert services.log_for(event).first().reason == "金额需复核"


def test_the_item_page_shows_the_verdict_and_locks_the_note_once_verified(
    analyst_client, analyst, event
):
    url = reverse("admin:events_event_change", args=[event.pk])
    page = analyst_client.get(url).content.decode()
    assert 'name="verification_note"' in page
    assert verify_page(event) in page
    verify_all(event.issue, analyst)
    page = analyst_client.get(url).content.decode()
    assert 'name="verification_note"' not in page
    assert "verification-verified" in page


def test_the_issue_panel_lists_the_gate_problems_with_links_then_clears(
    analyst_client, analyst, event
):
    issue = event.issue
    page = analyst_client.get(issue_page(issue)).content.decode()
    panel = page.split("workflow-panel")[1]
    assert "发布检查" in panel
    assert "核实状态是“未核实”" in panel
    assert f'href="{verify_page(event)}"' in panel
    assert "今日三条结论现在有 0 条" in panel

    for position in (1, 2, 3):
        issue.conclusions.create(position=position, text=f"结论 {position}")
    verify_all(issue, analyst)
    panel = analyst_client.get(issue_page(issue)).content.decode().split("workflow-panel")[1]
    assert "发布检查通过" in panel


def test_submitting_shows_the_gate_problems_as_warnings(analyst_client, event):
    issue = event.issue
    for position in (1, 2, 3):
        issue.conclusions.create(position=position, text=f"结论 {position}")
    response = analyst_client.post(
        reverse("admin:events_issue_workflow", args=[issue.pk, "submit"]), follow=True
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert any("核实状态是“未核实”" in w for w in warnings)


@pytest.fixture
def alerted_issue(analyst, event):
    """A published issue whose verified event's source changed after publication."""
    verify_all(event.issue, analyst)
    Issue.objects.filter(pk=event.issue_id).update(
        status=Issue.Status.PUBLISHED, published_at=timezone.now()
    )
    source = event.citations.get().source
    new = SnapshotFactory(source=source)
    source_changed.send(sender=type(source), source=source, snapshot=new, previous=None)
    return Issue.objects.get(pk=event.issue_id)


def test_a_published_issue_warns_and_offers_a_one_click_correction(
    editor_client, alerted_issue, django_capture_on_commit_callbacks
):
    page = editor_client.get(issue_page(alerted_issue)).content.decode()
    assert "发布后来源有变化" in page
    correct_url = reverse("admin:events_issue_correct", args=[alerted_issue.pk])
    assert f'action="{correct_url}"' in page
    alert = SourceChangeAlert.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(correct_url, {"text": "更正：金额以官方最新公告为准。"})
    alert.refresh_from_db()
    assert alert.resolution == SourceChangeAlert.Resolution.CORRECTED
    assert alerted_issue.corrections.get().text == "更正：金额以官方最新公告为准。"
    page = editor_client.get(issue_page(alerted_issue)).content.decode()
    assert "发布后来源有变化" not in page


def test_dismissing_an_alert_needs_the_correction_permission(
    client, analyst, editor, alerted_issue
):
    alert = SourceChangeAlert.objects.get()
    url = reverse("admin:events_issue_dismiss_source_change", args=[alerted_issue.pk, alert.pk])
    client.force_login(analyst)
    assert client.post(url).status_code == 403
    client.force_login(editor)
    assert client.get(url).status_code == 405
    wrong_issue = IssueFactory()
    other_url = reverse("admin:events_issue_dismiss_source_change", args=[wrong_issue.pk, alert.pk])
    assert client.post(other_url).status_code == 404
    assert client.post(url).status_code == 302
    alert.refresh_from_db()
    assert alert.resolution == SourceChangeAlert.Resolution.DISMISSED


def test_the_queue_lists_what_needs_attention_oldest_first(analyst_client, analyst, editor):
    waiting_long = EventFactory(title="等了很久的事件")
    type(waiting_long).objects.filter(pk=waiting_long.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    reopened = EventFactory(title="被重新打开的事件")
    cite(reopened, SourceFactory(official=True))
    verify_all(reopened.issue, analyst)
    services.reopen(reopened, by=editor, reason="来源被撤下")
    done = EventFactory(title="已经核实的事件")
    cite(done, SourceFactory(official=True))
    verify_all(done.issue, analyst)
    published = EventFactory(title="已发布的事件", issue=IssueFactory(published=True))

    response = analyst_client.get(reverse("admin:events_issue_verification_queue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("等了很久的事件") < page.index("被重新打开的事件")
    assert "已重新打开：来源被撤下" in page
    assert "已经核实的事件" not in page
    assert published.title not in page


def test_the_queue_is_refused_to_staff_without_the_verify_permission(client):
    client.force_login(UserFactory(username="intern"))
    assert client.get(reverse("admin:events_issue_verification_queue")).status_code == 403


def test_the_dashboard_shows_today_s_issue_against_the_deadline(
    analyst_client, analyst, time_machine, settings
):
    settings.AIDAILY_PUBLICATION_DEADLINE = "08:00"
    # 2026-04-08 06:30 in Shanghai
    time_machine.move_to(datetime.datetime(2026, 4, 7, 22, 30, tzinfo=datetime.UTC), tick=False)
    issue = IssueFactory(date=datetime.date(2026, 4, 8), with_conclusions=3)
    first = EventFactory(issue=issue, rank=1)
    cite(first, SourceFactory(official=True))
    second = EventFactory(issue=issue, rank=2)
    cite(second, SourceFactory(), captured=False)
    services.verify(
        first, by=analyst, outcome="verified", note="官方。", evidence=snapshots_of(first)
    )
    ReviewCommentFactory(issue=issue)

    page = analyst_client.get(reverse("admin:index")).content.decode()
    board = page.split('id="morning-dashboard"')[1].split("</div>")[0]
    assert "今日日报 · 2026-04-08" in board
    assert "1 / 2</strong>已核实内容" in board
    assert "1 / 2</strong>已抓取来源" in board
    assert "1</strong>未解决的审核意见" in board
    assert "距发布截止还有 1 小时 30 分" in board
    assert "核实状态是“未核实”" in board

    time_machine.move_to(datetime.datetime(2026, 4, 8, 0, 45, tzinfo=datetime.UTC), tick=False)
    board = analyst_client.get(reverse("admin:index")).content.decode()
    assert "已超过发布截止时间 0 小时 45 分" in board
    assert "dashboard-late" in board


def test_the_dashboard_without_an_issue_today_offers_to_create_it(client, editor, time_machine):
    time_machine.move_to(datetime.datetime(2030, 1, 1, 0, 0, tzinfo=datetime.UTC), tick=False)
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    assert "今天的日报还没有创建" in page
    assert reverse("admin:events_issue_add") in page


def test_the_dashboard_costs_the_same_queries_for_a_big_issue(
    analyst_client, analyst, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(datetime.datetime(2026, 4, 7, 22, 30, tzinfo=datetime.UTC), tick=False)
    issue = IssueFactory(date=datetime.date(2026, 4, 8), with_conclusions=3)
    cite(EventFactory(issue=issue, rank=1), SourceFactory(official=True))
    with CaptureQueriesContext(connection) as small:
        analyst_client.get(reverse("admin:index"))
    for rank in range(2, 9):
        cite(EventFactory(issue=issue, rank=rank), SourceFactory(official=True))
    verify_all(issue, analyst)
    with django_assert_max_num_queries(len(small)):
        analyst_client.get(reverse("admin:index"))


def test_the_verification_log_is_readable_but_not_editable(editor_client, analyst, event):
    verify_all(event.issue, analyst)
    url = reverse("admin:verification_verificationlog_changelist")
    page = editor_client.get(url)
    assert page.status_code == 200
    assert "已核实" in page.content.decode()
    add = reverse("admin:verification_verificationlog_add")
    assert editor_client.get(add).status_code == 403
