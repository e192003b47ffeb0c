"""Review comments: what the service refuses, and what the issue page's forms then show."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from events import comments
from events.models import Issue, ReviewComment

from ..factories import (
    IssueFactory,
    ReviewCommentFactory,
    UserFactory,
    publishable_issue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue():
    return publishable_issue(status=Issue.Status.IN_REVIEW)


def post_comment(client, issue, **data):
    url = reverse("admin:events_issue_comment", args=[issue.pk])
    return client.post(url, data, follow=True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "评论不能为空。"),
        ("   \n ", "评论不能为空。"),
        ("长" * 5001, "评论太长（最多 5000 字）。"),
    ],
)
def test_an_empty_or_oversized_comment_is_refused_with_a_message(
    editor_client, issue, body, message
):
    page = post_comment(editor_client, issue, body=body).content.decode()
    assert message in page
    assert not issue.review_comments.exists()


@pytest.mark.parametrize("target", ["event:", "event:abc", "quote:1", "event:1:2", "<b>x</b>"])
def test_a_malformed_target_is_refused(editor, issue, target):
    with pytest.raises(comments.InvalidComment):
        comments.add_comment(issue, by=editor, body="请核对。", target=target)
    assert not ReviewComment.objects.exists()


def test_a_comment_on_an_item_of_this_issue_is_attached_to_it(editor, issue):
    event = issue.events.get()
    comment = comments.add_comment(issue, by=editor, body="  请核对。 ", target=f"event:{event.pk}")
    assert comment.item == event and comment.body == "请核对。"


def test_a_staff_user_without_the_reviewer_role_may_not_comment_or_resolve(client, issue):
    client.force_login(UserFactory())
    assert post_comment(client, issue, body="x").status_code == 403
    comment = ReviewCommentFactory(issue=issue)
    url = reverse("admin:events_issue_resolve_comment", args=[issue.pk, comment.pk])
    assert client.post(url).status_code == 403
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_resolving_another_issues_comment_is_not_found(editor_client, issue):
    other = ReviewCommentFactory(issue=IssueFactory())
    url = reverse("admin:events_issue_resolve_comment", args=[issue.pk, other.pk])
    assert editor_client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.resolved_at is None


def test_resolving_twice_keeps_the_first_resolver(editor, second_editor, issue):
    comment = ReviewCommentFactory(issue=issue)
    comments.resolve_comment(issue_id=issue.pk, comment_id=comment.pk, by=editor)
    comments.resolve_comment(issue_id=issue.pk, comment_id=comment.pk, by=second_editor)
    comment.refresh_from_db()
    assert comment.resolved_by == editor


def test_the_service_checks_the_role_itself(issue):
    with pytest.raises(PermissionDenied):
        comments.add_comment(issue, by=UserFactory(), body="x")
    assert not issue.review_comments.exists()
