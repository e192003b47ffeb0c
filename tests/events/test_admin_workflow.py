"""The review workflow driven through the admin, as each role would."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from events import workflow
from events.models import Event, Issue, TransitionLog
from events.tasks import publish_due_issues

from ..factories import EventFactory, IssueFactory, publishable_issue

pytestmark = pytest.mark.django_db


def act(client, issue, action, **data):
    return client.post(reverse("admin:events_issue_workflow", args=[issue.pk, action]), data)


def status_of(issue):
    issue.refresh_from_db()
    return issue.status


def test_issue_page_shows_status_actions_and_log(analyst_client, analyst):
    issue = publishable_issue()
    response = analyst_client.get(reverse("admin:events_issue_change", args=[issue.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "草稿" in page
    assert "提交审核" in page
    assert "批准" not in page.split("workflow-panel")[1].split("</aside>")[0]


def test_happy_path_analyst_submits_editor_approves_and_publishes(client, analyst, editor):
    issue = publishable_issue(author=analyst)
    client.force_login(analyst)
    assert act(client, issue, "submit").status_code == 302
    assert status_of(issue) == Issue.Status.IN_REVIEW

    client.force_login(editor)
    act(client, issue, "approve", comment="看过了")
    assert status_of(issue) == Issue.Status.APPROVED
    act(client, issue, "publish")
    assert status_of(issue) == Issue.Status.PUBLISHED
    assert issue.published_at is not None

    log = list(
        issue.transitions.order_by("created_at", "pk").values_list(
            "action", "from_status", "to_status", "actor__username"
        )
    )
    assert log == [
        ("submit", "draft", "in_review", "analyst"),
        ("approve", "in_review", "approved", "editor"),
        ("publish", "approved", "published", "editor"),
    ]
    page = client.get(reverse("admin:events_issue_change", args=[issue.pk])).content.decode()
    assert "看过了" in page


@pytest.mark.parametrize(
    "action", ["approve", "publish", "withdraw", "request_changes", "schedule"]
)
def test_analyst_cannot_take_editor_steps_even_with_a_forged_post(analyst_client, action):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    response = act(analyst_client, issue, action, comment="forged")
    assert response.status_code == 403
    assert status_of(issue) == Issue.Status.IN_REVIEW
    assert not TransitionLog.objects.exists()


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "approve"),
        ("draft", "publish"),
        ("in_review", "publish"),
        ("in_review", "submit"),
        ("approved", "submit"),
        ("published", "approve"),
        ("published", "publish"),
        ("withdrawn", "publish"),
        ("draft", "withdraw"),
    ],
)
def test_a_step_from_the_wrong_state_is_refused_with_a_message(editor_client, status, action):
    issue = publishable_issue(
        status=status, published_at=timezone.now() if status in ("published", "withdrawn") else None
    )
    response = act(editor_client, issue, action, comment="x")
    assert response.status_code == 302
    assert status_of(issue) == status
    assert not TransitionLog.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("不能" in m for m in messages)


def test_unknown_action_and_get_requests_change_nothing(editor_client):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    assert (
        editor_client.get(
            reverse("admin:events_issue_workflow", args=[issue.pk, "approve"])
        ).status_code
        == 405
    )
    act(editor_client, issue, "teleport")
    assert status_of(issue) == Issue.Status.IN_REVIEW


def test_submit_needs_exactly_three_conclusions(analyst_client):
    issue = IssueFactory(with_conclusions=2)
    response = act(analyst_client, issue, "submit")
    assert status_of(issue) == Issue.Status.DRAFT
    assert any("三条结论" in str(m) for m in response.wsgi_request._messages)


def test_request_changes_needs_a_comment_and_returns_the_issue_to_draft(editor_client):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    act(editor_client, issue, "request_changes", comment="  ")
    assert status_of(issue) == Issue.Status.IN_REVIEW
    act(editor_client, issue, "request_changes", comment="第 3 条需要独立来源")
    assert status_of(issue) == Issue.Status.DRAFT
    assert issue.transitions.get().comment == "第 3 条需要独立来源"


def test_approval_refused_while_the_gate_has_problems(editor_client):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    EventFactory(issue=issue, rank=2)  # unverified, no sources
    response = act(editor_client, issue, "approve")
    assert status_of(issue) == Issue.Status.IN_REVIEW
    text = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "未核实" in text and "没有引用任何来源" in text


def test_four_eyes_editor_cannot_approve_items_they_wrote(client, editor, settings):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW, author=editor)
    client.force_login(editor)
    act(client, issue, "approve")
    assert status_of(issue) == Issue.Status.IN_REVIEW
    settings.AIDAILY_FOUR_EYES = False
    act(client, issue, "approve")
    assert status_of(issue) == Issue.Status.APPROVED


def test_an_edit_after_approval_returns_the_issue_to_review(
    editor_client, django_capture_on_commit_callbacks
):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    act(editor_client, issue, "approve")
    assert status_of(issue) == Issue.Status.APPROVED
    event = issue.events.get()
    with django_capture_on_commit_callbacks(execute=True):
        event.key_facts = "新的关键信息"
        event.save()
    assert status_of(issue) == Issue.Status.IN_REVIEW
    reopen = issue.transitions.order_by("-created_at", "-pk").first()
    assert (reopen.action, reopen.actor) == ("reopen", None)


def test_saving_an_approved_issue_unchanged_keeps_its_approval(
    editor_client, django_capture_on_commit_callbacks
):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    act(editor_client, issue, "approve")
    issue.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        issue.save()
    assert status_of(issue) == Issue.Status.APPROVED


def test_scheduled_issue_is_published_by_the_beat_task_at_its_time(editor_client):
    issue = publishable_issue(status=Issue.Status.APPROVED)
    with time_machine.travel(datetime.datetime(2026, 4, 8, 6, 0, tzinfo=datetime.UTC), tick=False):
        act(editor_client, issue, "schedule", publish_at="2026-04-08T16:00")  # Shanghai time
        assert status_of(issue) == Issue.Status.SCHEDULED
        assert publish_due_issues() == []
    with time_machine.travel(
        datetime.datetime(2026, 4, 8, 8, 0, 1, tzinfo=datetime.UTC), tick=False
    ):
        assert publish_due_issues() == [issue.pk]
    assert status_of(issue) == Issue.Status.PUBLISHED
    last = issue.transitions.order_by("-created_at", "-pk").first()
    assert (last.from_status, last.to_status, last.actor) == ("scheduled", "published", None)


def test_schedule_in_the_past_is_refused(editor_client):
    issue = publishable_issue(status=Issue.Status.APPROVED)
    act(editor_client, issue, "schedule", publish_at="2001-01-01T08:00")
    assert status_of(issue) == Issue.Status.APPROVED


def test_withdrawal_needs_a_public_reason_and_is_logged(editor_client):
    issue = publishable_issue(status=Issue.Status.PUBLISHED, published_at=timezone.now())
    act(editor_client, issue, "withdraw", comment="")
    assert status_of(issue) == Issue.Status.PUBLISHED
    act(editor_client, issue, "withdraw", comment="一条核心事实被原发布方撤回")
    assert status_of(issue) == Issue.Status.WITHDRAWN
    assert issue.withdrawal_reason == "一条核心事实被原发布方撤回"
    assert issue.transitions.get().action == "withdraw"


def test_correction_is_dated_logged_and_shown(editor_client):
    issue = publishable_issue(status=Issue.Status.PUBLISHED, published_at=timezone.now())
    editor_client.post(
        reverse("admin:events_issue_correct", args=[issue.pk]), {"text": "金额应为 100 亿美元"}
    )
    correction = issue.corrections.get()
    assert correction.created_at is not None
    assert issue.transitions.get().action == "correct"
    page = editor_client.get(reverse("admin:events_issue_change", args=[issue.pk])).content.decode()
    assert "金额应为 100 亿美元" in page


def test_analyst_cannot_correct(analyst_client):
    issue = publishable_issue(status=Issue.Status.PUBLISHED, published_at=timezone.now())
    response = analyst_client.post(
        reverse("admin:events_issue_correct", args=[issue.pk]), {"text": "x"}
    )
    assert response.status_code == 403
    assert not issue.corrections.exists()


def test_published_issue_is_read_only_in_the_admin(editor_client):
    issue = publishable_issue(
        status=Issue.Status.PUBLISHED, published_at=timezone.now(), overview="原文"
    )
    url = reverse("admin:events_issue_change", args=[issue.pk])
    page = editor_client.get(url).content.decode()
    assert 'name="overview"' not in page
    response = editor_client.post(url, {"overview": "篡改"})
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.overview == "原文"


def test_analyst_cannot_edit_an_issue_under_review(analyst_client):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    page = analyst_client.get(
        reverse("admin:events_issue_change", args=[issue.pk])
    ).content.decode()
    assert 'name="overview"' not in page


def test_review_comment_on_an_item_is_shown_until_resolved(editor_client, analyst_client):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    event = issue.events.get()
    url = reverse("admin:events_issue_comment", args=[issue.pk])
    editor_client.post(
        url, {"body": "请补一个独立来源 <script>alert(1)</script>", "target": f"event:{event.pk}"}
    )
    comment = issue.review_comments.get()
    assert comment.item == event
    page = analyst_client.get(
        reverse("admin:events_issue_change", args=[issue.pk])
    ).content.decode()
    assert "请补一个独立来源" in page and "<script>alert(1)</script>" not in page
    analyst_client.post(reverse("admin:events_issue_resolve_comment", args=[issue.pk, comment.pk]))
    page = analyst_client.get(
        reverse("admin:events_issue_change", args=[issue.pk])
    ).content.decode()
    assert "请补一个独立来源" not in page


def test_comment_pointing_at_another_issues_item_is_refused(editor_client):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    other = EventFactory()
    editor_client.post(
        reverse("admin:events_issue_comment", args=[issue.pk]),
        {"body": "x", "target": f"event:{other.pk}"},
    )
    assert not issue.review_comments.exists()


def test_editor_sees_what_changed_since_the_last_review(client, analyst, editor):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    client.force_login(editor)
    act(client, issue, "request_changes", comment="标题太长")
    event = issue.events.get()
    event.title = "更短的标题"
    event.save()
    page = client.get(reverse("admin:events_issue_change", args=[issue.pk])).content.decode()
    assert "更短的标题" in page
    assert "审核以来的修改" in page


def test_workflow_perform_refuses_unknown_user_permissions(analyst):
    issue = publishable_issue(status=Issue.Status.IN_REVIEW)
    with pytest.raises(Exception) as refusal:
        workflow.perform(issue, "approve", by=analyst)
    assert refusal.type.__name__ == "PermissionDenied"
    assert Event.objects.count() == 1


def test_a_scheduled_issue_the_gate_refuses_is_logged_once_and_stays_scheduled(editor_client):
    issue = publishable_issue(status=Issue.Status.APPROVED)
    with time_machine.travel(datetime.datetime(2026, 4, 8, 6, 0, tzinfo=datetime.UTC), tick=False):
        act(editor_client, issue, "schedule", publish_at="2026-04-08T16:00")
    EventFactory(issue=issue, rank=2)  # an unverified item slips in (e.g. through the shell)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SCHEDULED)
    with time_machine.travel(datetime.datetime(2026, 4, 8, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert publish_due_issues() == []
        assert publish_due_issues() == []
    assert status_of(issue) == Issue.Status.SCHEDULED
    assert issue.transitions.filter(action="publish_failed").count() == 1


def test_an_issue_already_published_by_another_run_is_skipped_quietly(editor_client):
    issue = publishable_issue(status=Issue.Status.APPROVED)
    with time_machine.travel(datetime.datetime(2026, 4, 8, 6, 0, tzinfo=datetime.UTC), tick=False):
        act(editor_client, issue, "schedule", publish_at="2026-04-08T16:00")
    stale = Issue.objects.get(pk=issue.pk)  # what an overlapping run selected a moment ago
    workflow.perform(issue, "publish", by=None)
    with time_machine.travel(datetime.datetime(2026, 4, 8, 9, 0, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(workflow.InvalidTransition):
            workflow.perform(stale, "publish", by=None)
        assert publish_due_issues() == []
    assert not issue.transitions.filter(action="publish_failed").exists()
