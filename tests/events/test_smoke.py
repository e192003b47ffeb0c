import pytest

from events import workflow
from events.models import Issue

from ..factories import publishable_issue

pytestmark = pytest.mark.django_db


def test_publishable_issue_passes_the_gate_and_publishes(analyst, editor):
    issue = publishable_issue()
    workflow.perform(issue, "submit", by=analyst)
    workflow.perform(issue, "approve", by=editor)
    workflow.perform(issue, "publish", by=editor)
    assert issue.status == Issue.Status.PUBLISHED
    assert issue.transitions.count() == 3
