"""Events-side receivers of verification's signals (imported by EventsConfig.ready()).

Verification may not import events, so it announces what happened and the issue workflow
reacts here: a reopened item sends its approved or scheduled issue back to review, and a
correction closes the "source changed since publication" alerts of the corrected issue.
"""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from verification import services as verification
from verification.models import SourceChangeAlert
from verification.signals import item_reopened

from . import workflow
from .signals import issue_corrected


@receiver(item_reopened, dispatch_uid="events.return_to_review_on_reopen")
def item_reopened_returns_issue(sender, item, reason, **kwargs):
    workflow.return_to_review(
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
