"""Review comments on an issue or one of its items: adding them and marking them resolved."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import sections
from .models import Issue, ReviewComment

ADD_PERMISSION = "events.add_reviewcomment"
RESOLVE_PERMISSION = "events.change_reviewcomment"
MAX_LENGTH = 5000


class InvalidComment(Exception):
    """The comment cannot be added as written; the message says why."""


def comment_target(issue: Issue, target: str):
    """None for the whole issue, the item for "event:12", or False when it is not this issue's."""
    if not target:
        return None
    section, _sep, pk = target.partition(":")
    kind = sections.BY_KEY.get(section)
    if kind is None or not pk.isdigit():
        return False
    return kind.model.objects.filter(issue=issue, pk=int(pk)).first() or False


def add_comment(issue: Issue, *, by, body: str, target: str = "") -> ReviewComment:
    """Comment on the whole issue or on one of its items ("event:12"), as the reviewer `by`."""
    if not by.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise InvalidComment(_("评论不能为空。"))
    if len(body) > MAX_LENGTH:
        raise InvalidComment(_("评论太长（最多 5000 字）。"))
    item = comment_target(issue, target)
    if item is False:
        raise InvalidComment(_("评论指向的条目不属于这一期。"))
    return ReviewComment.objects.create(issue=issue, item=item, author=by, body=body)


def resolve_comment(*, issue_id: int, comment_id: int, by) -> ReviewComment:
    """Mark the issue's comment resolved (once: a second editor's click changes nothing).

    Raises ReviewComment.DoesNotExist when the issue has no such comment.
    """
    if not by.has_perm(RESOLVE_PERMISSION):
        raise PermissionDenied
    with transaction.atomic():
        comment = ReviewComment.objects.select_for_update().get(pk=comment_id, issue_id=issue_id)
        if comment.resolved_at is None:
            comment.resolved_at = timezone.now()
            comment.resolved_by = by
            comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment
