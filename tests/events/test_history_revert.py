"""Reverting from the history page: content only, on what the user may edit now, logged."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from events import workflow
from events.models import Issue

from ..factories import EventFactory, IssueFactory, cite, publishable_issue

pytestmark = pytest.mark.django_db


def history_url(obj, record):
    opts = obj._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_simple_history"
    return reverse(name, args=[obj.pk, record.history_id])


def history_form_data(response) -> dict:
    """What the history page's form submits unchanged, as a browser would."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            value = "on" if value else ""
        elif isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        if value not in (None, "", []):
            data[form.add_prefix(name)] = value
    return data


def edit(obj, user, **fields):
    """An edit as the admin makes it: a saved row with the editor on its history."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()


def publish(issue):
    for step in ("submit", "approve", "publish"):
        workflow.perform(issue, step, by=None)
    issue.refresh_from_db()
    return issue


def revert(client, obj, record):
    page = client.get(history_url(obj, record))
    assert page.status_code == 200
    return client.post(history_url(obj, record), history_form_data(page))


def first_record(obj):
    return obj.history.order_by("history_date", "history_id").first()


@pytest.mark.parametrize("who", ["analyst_client", "editor_client"])
def test_reverting_a_published_issue_is_refused_and_changes_nothing(request, who, analyst):
    issue = publishable_issue(overview="最初的总览。")
    edit(issue, analyst, overview="核实后的总览。")
    publish(issue)
    before = (issue.status, issue.published_at, issue.overview, issue.transitions.count())
    records = issue.history.count()
    client = request.getfixturevalue(who)

    response = revert(client, issue, first_record(issue))

    assert response.status_code == 403
    issue.refresh_from_db()
    assert (issue.status, issue.published_at, issue.overview, issue.transitions.count()) == before
    assert issue.history.count() == records
    assert client.get(issue.get_absolute_url()).status_code == 200


def test_the_history_of_a_published_issue_is_still_shown_without_a_revert(editor_client):
    issue = publishable_issue(overview="最初的总览。")
    edit(issue, None, overview="核实后的总览。")
    publish(issue)
    listing = editor_client.get(reverse("admin:events_issue_history", args=[issue.pk]))
    assert listing.status_code == 200
    assert "最初的总览。" in listing.content.decode()  # the diff against the older version
    page = editor_client.get(history_url(issue, first_record(issue)))
    assert page.status_code == 200 and page.context["revert_disabled"] is True


@pytest.mark.parametrize("who", ["analyst_client", "editor_client"])
def test_reverting_an_item_never_moves_it_out_of_a_published_issue(request, who):
    draft = IssueFactory()
    event = EventFactory(issue=draft, rank=1, title="核实过的大事件", verified=True)
    cite(event)
    in_draft = first_record(event)
    target = publishable_issue(events=0)
    edit(event, None, issue=target, rank=1)
    publish(target)
    client = request.getfixturevalue(who)

    response = revert(client, event, in_draft)

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.issue_id == target.pk and draft.events.count() == 0
    assert client.get(target.get_absolute_url()).status_code == 200


def test_an_analyst_reverts_a_draft_to_an_older_text_and_the_revert_is_logged(
    analyst_client, analyst
):
    issue = IssueFactory(overview="第一稿。")
    edit(issue, analyst, overview="第二稿。")

    response = revert(analyst_client, issue, first_record(issue))

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.overview == "第一稿。" and issue.status == Issue.Status.DRAFT
    newest = issue.history.order_by("-history_date", "-history_id").first()
    assert newest.history_user == analyst and newest.history_change_reason == "从历史版本恢复内容"
    assert LogEntry.objects.filter(object_id=str(issue.pk), user=analyst).exists()


def test_a_revert_never_restores_an_old_status(editor_client, editor):
    issue = publishable_issue(overview="提交前的总览。")
    workflow.perform(issue, "submit", by=None)
    edit(issue, editor, overview="审核中改写的总览。")

    response = revert(editor_client, issue, first_record(issue))  # recorded as a draft

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW
    assert issue.overview == "提交前的总览。"
    assert list(issue.transitions.values_list("action", flat=True)) == ["submit"]


def test_reverting_an_approved_issue_sends_it_back_to_review(
    editor_client, editor, django_capture_on_commit_callbacks
):
    issue = publishable_issue(overview="批准前的总览。")
    edit(issue, editor, overview="批准的总览。")
    workflow.perform(issue, "submit", by=None)
    workflow.perform(issue, "approve", by=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = revert(editor_client, issue, first_record(issue))

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.overview == "批准前的总览。"
    assert issue.status == Issue.Status.IN_REVIEW
    assert issue.transitions.order_by("-created_at", "-pk").first().action == "reopen"


def test_reverting_an_item_restores_its_text_and_leaves_it_in_its_issue(analyst_client, analyst):
    first, second = IssueFactory(), IssueFactory()
    event = EventFactory(issue=first, rank=1, title="旧标题")
    old = first_record(event)
    edit(event, analyst, issue=second, rank=1, title="新标题")

    response = revert(analyst_client, event, old)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "旧标题" and event.issue_id == second.pk and event.rank == 1
    assert first.events.count() == 0


def test_an_analyst_cannot_revert_an_issue_under_review(analyst_client, analyst):
    issue = publishable_issue(overview="草稿总览。")
    workflow.perform(issue, "submit", by=None)
    edit(issue, None, overview="审核中的总览。")

    response = analyst_client.post(history_url(issue, first_record(issue)), {"overview": "x"})

    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.overview == "审核中的总览。" and issue.status == Issue.Status.IN_REVIEW


def test_a_history_version_of_another_issue_is_not_found(analyst_client):
    one, other = IssueFactory(), IssueFactory()
    response = analyst_client.get(history_url(one, first_record(other)))
    assert response.status_code == 404
