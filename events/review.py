"""What changed in an issue since the chief editor last reviewed it, read from the history."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Citation, Conclusion, Issue, TransitionLog
from .sections import SECTIONS

REVIEW_ACTIONS = ("approve", "request_changes")


@dataclass(frozen=True)
class Change:
    what: str
    field: str
    old: str
    new: str


def last_review(issue):
    """The last approve or request-changes step, or None."""
    return (
        TransitionLog.objects.filter(issue=issue, action__in=REVIEW_ACTIONS)
        .order_by("-created_at", "-pk")
        .first()
    )


def _label(model, record) -> str:
    return f"{model._meta.verbose_name} · {record.instance}"


def _field_label(model, name) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field since removed keeps its raw name
        return name


def changes_since(issue: Issue, since) -> list[Change]:
    """Every field changed, row added or removed in the issue's content after `since`."""
    scopes = [
        (Issue, {"id": issue.pk}),
        (Conclusion, {"issue_id": issue.pk}),
        *((kind.model, {"issue_id": issue.pk}) for kind in SECTIONS),
        (Citation, {"issue_id": issue.pk}),
    ]
    changes: list[Change] = []
    for model, scope in scopes:
        history = model.history.model.objects
        touched = (
            history.filter(**scope, history_date__gt=since).values_list("id", flat=True).distinct()
        )
        for object_id in sorted(set(touched)):
            records = history.filter(id=object_id).order_by("history_date", "history_id")
            before = records.filter(history_date__lte=since).last()
            after = records.last()
            if after.history_type == "-":
                if before is not None:
                    changes.append(Change(_label(model, before), _("已删除"), "", ""))
                continue
            if before is None:
                changes.append(Change(_label(model, after), _("新增"), "", ""))
                continue
            for delta in after.diff_against(before).changes:
                changes.append(
                    Change(
                        _label(model, after),
                        _field_label(model, delta.field),
                        str(delta.old if delta.old is not None else ""),
                        str(delta.new if delta.new is not None else ""),
                    )
                )
    return changes


def changes_since_last_review(issue: Issue) -> list[Change]:
    review = last_review(issue)
    return changes_since(issue, review.created_at) if review else []
