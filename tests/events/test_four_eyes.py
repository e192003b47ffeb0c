"""Four eyes: an approver must not have written any part of the content they approve."""

import pytest
from django.urls import reverse

from events import workflow
from events.models import Issue

from ..factories import SourceFactory, cite, publishable_issue

pytestmark = pytest.mark.django_db


def edit(obj, user, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()


def in_review(analyst, **fields):
    issue = publishable_issue(author=analyst, **fields)
    workflow.perform(issue, "submit", by=analyst)
    return issue


def refusal(issue, editor) -> str:
    with pytest.raises(workflow.InvalidTransition) as refused:
        workflow.perform(issue, "approve", by=editor)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW
    return str(refused.value)


def test_an_editor_who_rewrote_an_analysts_item_cannot_approve_it(editor_client, editor, analyst):
    issue = publishable_issue(author=analyst)
    event = issue.events.get()
    edit(event, editor, title="主编改写的标题")
    workflow.perform(issue, "submit", by=analyst)

    response = editor_client.post(
        reverse("admin:events_issue_workflow", args=[issue.pk, "approve"])
    )

    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW
    text = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "四眼原则" in text and "主编改写的标题" in text


@pytest.mark.parametrize(
    ("field", "named"), [("overview", "今日总览"), ("business_analysis", "商业与应用解读")]
)
def test_an_editor_who_wrote_the_issues_text_cannot_approve(editor, analyst, field, named):
    issue = in_review(analyst)
    edit(issue, editor, **{field: "主编写的段落。"})
    message = refusal(issue, editor)
    assert named in message
    assert "大事件" not in message  # only what they wrote is named


def test_an_editor_who_rewrote_a_conclusion_cannot_approve(editor, analyst):
    issue = in_review(analyst)
    edit(issue.conclusions.get(position=2), editor, text="主编写的结论。")
    assert "结论 2" in refusal(issue, editor)


def test_an_editor_who_added_a_citation_cannot_approve_that_item(editor, analyst):
    issue = in_review(analyst)
    paper = issue.papers.get()
    citation = cite(paper, SourceFactory(official=True))
    citation._history_user = editor
    citation.save()
    assert paper.name in refusal(issue, editor)


def test_an_editor_who_created_an_item_still_cannot_approve(editor, analyst):
    issue = publishable_issue(author=editor)
    workflow.perform(issue, "submit", by=analyst)
    assert "大事件" in refusal(issue, editor)


def test_an_editor_who_wrote_nothing_approves(editor, second_editor, analyst):
    issue = publishable_issue(author=analyst)
    edit(issue.events.get(), second_editor, title="另一位主编改写")
    edit(issue, editor, overview=issue.overview)  # saved without changing anything
    workflow.perform(issue, "submit", by=analyst)
    workflow.perform(issue, "approve", by=editor)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.APPROVED


def test_verification_saves_are_not_writing(editor, analyst):
    issue = in_review(analyst)
    event = issue.events.get()
    event.verification_note = "主编补充的核实说明。"
    event._history_user = editor
    event.save(update_fields=["verification_note", "version", "updated_at"])
    workflow.perform(issue, "approve", by=editor)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.APPROVED


def test_edits_approved_by_someone_else_do_not_count_at_the_next_approval(
    editor, second_editor, analyst, django_capture_on_commit_callbacks
):
    issue = publishable_issue(author=analyst)
    edit(issue.signals.get(), editor, headline="主编改写的观点")
    workflow.perform(issue, "submit", by=analyst)
    workflow.perform(issue, "approve", by=second_editor)
    with django_capture_on_commit_callbacks(execute=True):
        edit(issue, analyst, overview="批准后分析师改写的总览。")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW

    workflow.perform(issue, "approve", by=editor)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.APPROVED


def test_a_one_person_newsroom_may_switch_four_eyes_off(editor, analyst, settings):
    issue = in_review(analyst)
    edit(issue, editor, overview="主编写的段落。")
    settings.AIDAILY_FOUR_EYES = False
    workflow.perform(issue, "approve", by=editor)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.APPROVED
