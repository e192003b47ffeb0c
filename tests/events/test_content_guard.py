"""The model-level guard: no save path changes a published issue or workflow fields."""

import pytest
from django.db import transaction
from django.utils import timezone

from events import workflow
from events.content_guard import ContentLocked
from events.models import Citation, Conclusion, Event, Issue

from ..factories import EventFactory, IssueFactory, SourceFactory, TagFactory, publishable_issue

pytestmark = pytest.mark.django_db


def published(**fields):
    issue = publishable_issue(**fields)
    for step in ("submit", "approve", "publish"):
        workflow.perform(issue, step, by=None)
    issue.refresh_from_db()
    return issue


def fresh(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def test_a_published_issues_text_cannot_be_saved(client):
    issue = published(overview="已发布的总览。")
    page = client.get(issue.get_absolute_url()).content
    issue.overview = "偷偷改写"
    with pytest.raises(ContentLocked):
        issue.save()
    assert fresh(issue).overview == "已发布的总览。"
    assert client.get(issue.get_absolute_url()).content == page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", Issue.Status.DRAFT),
        ("published_at", None),
        ("approved_fingerprint", ""),
        ("withdrawal_reason", "x"),
    ],
)
def test_workflow_fields_of_a_published_issue_cannot_be_saved(field, value):
    issue = published()
    setattr(issue, field, value)
    with pytest.raises(ContentLocked):
        issue.save()
    stored = fresh(issue)
    assert stored.status == Issue.Status.PUBLISHED and stored.published_at is not None


def test_a_draft_cannot_be_saved_into_another_status():
    issue = IssueFactory()
    issue.status = Issue.Status.PUBLISHED
    issue.published_at = timezone.now()
    with pytest.raises(ContentLocked, match="审核流程"):
        issue.save()
    assert fresh(issue).status == Issue.Status.DRAFT


def test_an_unchanged_save_of_a_published_issue_is_harmless():
    issue = published()
    issue.save()
    assert fresh(issue).status == Issue.Status.PUBLISHED


def test_a_published_items_text_conclusions_and_citations_cannot_be_saved():
    issue = published()
    event = issue.events.get()
    event.title = "改写"
    conclusion = issue.conclusions.first()
    conclusion.text = "改写"
    citation = Citation.objects.filter(issue=issue).first()
    citation.source = SourceFactory()
    for part in (event, conclusion, citation):
        with pytest.raises(ContentLocked):
            part.save()
    assert fresh(event).title != "改写" and fresh(conclusion).text != "改写"
    assert fresh(citation).source_id != citation.source_id


def test_nothing_is_added_to_or_deleted_from_a_published_issue():
    issue = published()
    with pytest.raises(ContentLocked):
        EventFactory.build(issue=issue, rank=2).save()
    with pytest.raises(ContentLocked):
        Conclusion.objects.create(issue=issue, position=4, text="第四条")
    with pytest.raises(ContentLocked):  # a new row given its own id is still a new row
        EventFactory.build(pk=424242, issue=issue, rank=3).save()
    for part in (issue.events.get(), issue.conclusions.first(), issue.citations.first(), issue):
        with pytest.raises(ContentLocked):
            part.delete()
    assert issue.events.count() == 1 and issue.conclusions.count() == 3


def test_bulk_deletes_cannot_empty_a_published_issue():
    issue = published()
    with pytest.raises(ContentLocked), transaction.atomic():
        Event.objects.filter(issue=issue).delete()
    with pytest.raises(ContentLocked), transaction.atomic():
        Issue.objects.filter(pk=issue.pk).delete()
    assert issue.events.count() == 1 and Issue.objects.filter(pk=issue.pk).exists()


def test_tags_of_a_published_item_cannot_change_either_way():
    issue = published()
    event = issue.events.get()
    tag = TagFactory()
    with pytest.raises(ContentLocked), transaction.atomic():
        event.tags.add(tag)
    with pytest.raises(ContentLocked), transaction.atomic():
        tag.events.add(event)
    assert not event.tags.exists()


@pytest.mark.parametrize("direction", ["out of", "into"])
def test_an_item_cannot_move_out_of_or_into_a_published_issue(client, direction):
    issue = published()
    page = client.get(issue.get_absolute_url()).content
    draft = IssueFactory()
    event = issue.events.get() if direction == "out of" else EventFactory(issue=draft, rank=1)
    event.issue = draft if direction == "out of" else issue
    event.rank = 5
    with pytest.raises(ContentLocked):
        event.save()
    assert fresh(event).issue_id == (issue.pk if direction == "out of" else draft.pk)
    assert issue.events.count() == 1
    assert client.get(issue.get_absolute_url()).content == page


def test_withdrawn_issues_are_frozen_as_well():
    issue = published()
    workflow.perform(issue, "withdraw", by=None, comment="来源被删除。")
    event = issue.events.get()
    event.title = "改写"
    with pytest.raises(ContentLocked):
        event.save()


def test_moving_an_item_out_of_an_approved_issue_sends_it_back_to_review(
    django_capture_on_commit_callbacks,
):
    issue = publishable_issue()
    workflow.perform(issue, "submit", by=None)
    workflow.perform(issue, "approve", by=None)
    event = issue.events.get()
    event.issue = IssueFactory()
    with django_capture_on_commit_callbacks(execute=True):
        event.save()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW
    assert issue.transitions.order_by("-created_at", "-pk").first().action == "reopen"


def test_the_workflow_and_corrections_still_change_a_published_issue(editor):
    issue = published()
    workflow.add_correction(issue, by=editor, text="金额已更正。")
    workflow.perform(issue, "withdraw", by=editor, comment="撤回。")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.WITHDRAWN and issue.corrections.count() == 1
