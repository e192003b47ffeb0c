"""Four eyes: which parts of an issue's current content the would-be approver wrote.

The approver must not have written any part of what they approve. They wrote:

* an item (event, signal, paper) they created, or whose text they changed since the issue's
  last approval (ever, if it was never approved), or whose citations they added, changed or
  removed since then;
* a conclusion they created or changed since then;
* the issue's title, overview, coverage note or business analysis, if they changed it since.

The history tables say who saved what. A save that changed nothing, or changed only an item's
verification (recorded with its own log and evidence rules), is not writing.
"""

from django.utils.translation import gettext as _

from .models import Citation, Conclusion
from .sections import SECTIONS

ISSUE_TEXT = ("title", "overview", "coverage_note", "business_analysis")
#: Not text someone wrote: bookkeeping, and what the verification service records.
NOT_WRITING = frozenset(
    {
        "id",
        "version",
        "updated_at",
        "created_at",
        "created_by_id",
        "verification_status",
        "verification_note",
    }
)


def _last_approval(issue):
    return (
        issue.transitions.filter(action="approve")
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )


def _history(model, **filters):
    return model.history.filter(**filters).order_by("id", "history_date", "history_id")


def _counts(record, *, by, since) -> bool:
    return record.history_user_id == by.pk and (since is None or record.history_date > since)


def _writes(records, fields, *, by, since) -> dict[int, set[str]]:
    """Row id → the fields `by` wrote in it after `since` (the filled ones when creating it).

    `records` must hold each row's whole history, ordered by id then time.
    """
    writes, previous = {}, {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if not _counts(record, by=by, since=since):
            continue
        if before is None or record.history_type == "+":
            changed = {f for f in fields if getattr(record, f)}
        else:
            changed = {f for f in fields if getattr(record, f) != getattr(before, f)}
        if changed:
            writes.setdefault(record.id, set()).update(changed)
    return writes


def _text_fields(model) -> list[str]:
    own = {f.attname for f in model._meta.concrete_fields} - NOT_WRITING
    return [f.attname for f in model.history.model._meta.concrete_fields if f.attname in own]


def _items_written(issue, *, by, since) -> list:
    cited = {
        (key, getattr(record, f"{key}_id"))
        for record in _history(Citation, issue_id=issue.pk)
        if _counts(record, by=by, since=since)
        for key in (kind.citation_field for kind in SECTIONS)
    }
    written = []
    for kind in SECTIONS:
        key, model = kind.key, kind.model
        items = list(getattr(issue, kind.relation).all())
        records = _history(model, id__in=[item.pk for item in items])
        edited = _writes(records, _text_fields(model), by=by, since=since)
        written += [
            item
            for item in items
            if item.created_by_id == by.pk or item.pk in edited or (key, item.pk) in cited
        ]
    return written


def written_by(issue, user) -> list[str]:
    """The parts of the issue's current content the user wrote, named as the refusal shows."""
    since = _last_approval(issue)
    own = _writes(_history(type(issue), id=issue.pk), ISSUE_TEXT, by=user, since=since)
    fields = own.get(issue.pk, set())
    parts = [str(issue._meta.get_field(f).verbose_name) for f in ISSUE_TEXT if f in fields]
    conclusions = {c.pk: c for c in issue.conclusions.all()}
    records = _history(Conclusion, id__in=list(conclusions))
    for pk in _writes(records, ("position", "text"), by=user, since=since):
        parts.append(_("结论 %(n)d") % {"n": conclusions[pk].position})
    parts += [
        f"{item._meta.verbose_name}“{item}”" for item in _items_written(issue, by=user, since=since)
    ]
    return parts
