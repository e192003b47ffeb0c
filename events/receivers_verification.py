"""Events-side receivers of verification's signals (imported by EventsConfig.ready()).

Verification may not import events, so it announces what happened and the issue workflow
reacts here: a reopened item sends its approved or scheduled issue back to review, and a
correction closes the "source changed since publication" alerts of the corrected issue.
"""

from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _

from verification import services as verification
from verification.models import SourceChangeAlert
from verification.signals import item_reopened

from . import workflow
from .models import Issue
from .signals import issue_corrected


def return_to_review(issue_id: int, *, reason: str) -> bool:
    """Send an approved or scheduled issue back to in_review, logged as a system step.

    Unconditional, unlike workflow.return_to_review_if_changed: a verdict that no longer stands
    needs the chief editor again even though the text readers see is unchanged.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None or issue.status not in workflow.REOPEN.sources:
            return False
        workflow._move(
            issue,
            workflow.REOPEN,
            by=None,
            comment=reason,
            publish_at=None,
            approved_fingerprint="",
        )
    return True


@receiver(item_reopened, dispatch_uid="events.return_to_review_on_reopen")
def item_reopened_returns_issue(sender, item, reason, **kwargs):
    return_to_review(
        item.issue_id,
        reason=_("%(item)s 的核实被重新打开：%(reason)s") % {"item": item, "reason": reason},
    )


@receiver(issue_corrected, dispatch_uid="events.correction_resolves_source_alerts")
def correction_resolves_alerts(sender, issue, correction, **kwargs):
    verification.resolve_alerts(
        issue.items(),
        by=correction.created_by,
        resolution=SourceChangeAlert.Resolution.CORRECTED,
    )
