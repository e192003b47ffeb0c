"""What goes out is what the chief editor approved, even when an edit escaped the reopen path."""

import pytest

from events import workflow
from events.models import Event, Issue

from ..factories import publishable_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(analyst, editor):
    issue = publishable_issue(author=analyst)
    workflow.perform(issue, "submit", by=analyst)
    return workflow.perform(issue, "approve", by=editor)


def test_an_issue_changed_behind_the_workflow_after_approval_is_not_published(approved, editor):
    # A bulk update skips save(), so neither the content guard nor the reopen path sees it.
    Event.objects.filter(issue=approved).update(title="批准后被悄悄改掉的标题")

    with pytest.raises(workflow.InvalidTransition, match="与批准的版本不一致"):
        workflow.perform(approved, "publish", by=editor)

    approved.refresh_from_db()
    assert approved.status == Issue.Status.APPROVED and approved.published_at is None


def test_an_issue_unchanged_since_approval_publishes(approved, editor):
    published = workflow.perform(approved, "publish", by=editor)

    assert published.status == Issue.Status.PUBLISHED
