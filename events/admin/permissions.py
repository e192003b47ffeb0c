"""Who may edit what: analysts edit drafts; chief editors also edit issues under review.

Published and withdrawn issues are read-only for everyone; they change only by correction.
"""

ANALYST_EDITABLE = {"draft"}
EDITOR_EDITABLE = {"draft", "in_review", "approved", "scheduled"}


def can_edit_issue_content(user, issue) -> bool:
    """May this user change the issue's text and items now?"""
    if issue is None:
        return True
    if user.is_superuser or user.has_perm("events.approve_issue"):
        return issue.status in EDITOR_EDITABLE
    return issue.status in ANALYST_EDITABLE
