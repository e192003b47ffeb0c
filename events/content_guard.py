"""The model-level guard: what may change an issue's record outside the workflow.

Enforced in save() and on delete of the issue, its conclusions, items and citations, and on
changes to items' tags, so every save path is held the same way: the admin, a history revert,
the shell, the importer.

* Workflow fields (status, publish_at, published_at, withdrawn_at, withdrawal_reason,
  approved_fingerprint) of an existing issue change only through events.workflow, whose steps
  write them with a compare-and-set queryset.update(). A save() that changes them is refused.
* A published or withdrawn issue is the public record. Its content (its own fields, its
  conclusions, its items, their citations and tags, and which items belong to it) changes only
  by correction: a Correction row (workflow.add_correction) or a source correction
  (events.source_corrections). A save or delete that would change it is refused, and so is
  moving an item into or out of it.
* An approved or scheduled issue may still be edited (the admin lets chief editors do it): the
  product wants such an edit to send the issue back to in_review, which the receivers do after
  commit through workflow.return_to_review_if_changed, for the issue an item left as well as
  the one it is in. The guard does not stop those saves.
* Creating an issue in any status is allowed (import, demo, restoring a backup), and so are raw
  saves (loaddata). `assembling()` lets code that builds an already published record in one go
  (test factories, a restore) add its parts; nothing in a request path uses it.

queryset.update() and raw SQL are below any Python guard; only the workflow and the ranking
helpers (which renumber ranks in place) use update() on these tables.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext as _

#: Issue statuses whose content is the public record.
LOCKED_STATUSES = frozenset({"published", "withdrawn"})
#: Issue statuses whose cited sources keep their URL, kind and publisher (see sources.models):
#: what was approved is what is published, and what was published stays what it linked to.
SOURCE_FREEZING_STATUSES = frozenset({"approved", "scheduled", "published", "withdrawn"})
#: Written only by the workflow's own steps.
WORKFLOW_FIELDS = (
    "status",
    "publish_at",
    "published_at",
    "withdrawn_at",
    "withdrawal_reason",
    "approved_fingerprint",
)
#: Bookkeeping every save writes; not content.
BOOKKEEPING_FIELDS = frozenset({"id", "version", "updated_at"})

_assembling = ContextVar("events_assembling_published_record", default=False)


class ContentLocked(Exception):
    """A save or delete would change a published record (or workflow fields) outside the
    workflow and corrections."""


@contextmanager
def assembling():
    """Let the block add parts to an issue that is already published (fixtures, restores)."""
    token = _assembling.set(True)
    try:
        yield
    finally:
        _assembling.reset(token)


def _bypassed() -> bool:
    return _assembling.get()


def _stored(instance, fields):
    return type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()


def _changed(instance, stored: dict, fields) -> list[str]:
    return [name for name in fields if getattr(instance, name) != stored[name]]


def _attnames(instance, update_fields=None) -> list[str]:
    names = [f.attname for f in instance._meta.concrete_fields]
    if update_fields is not None:
        wanted = set(update_fields)
        names = [f.attname for f in instance._meta.concrete_fields if f.name in wanted]
    return [name for name in names if name not in BOOKKEEPING_FIELDS]


def _status_of(issue_id):
    from .models import Issue

    return Issue.objects.filter(pk=issue_id).values_list("status", flat=True).first()


def check_issue_save(issue, update_fields=None) -> None:
    """Refuse a save that changes workflow fields, or anything of a published issue."""
    if issue.pk is None or _bypassed():
        return
    fields = _attnames(issue, update_fields)
    stored = _stored(issue, [*fields, "status"])
    if stored is None:
        return
    workflow = _changed(issue, stored, [f for f in WORKFLOW_FIELDS if f in fields])
    if workflow:
        raise ContentLocked(
            _("“%(issue)s”的状态、发布和批准信息只能通过审核流程修改（%(fields)s）。")
            % {"issue": issue, "fields": ", ".join(workflow)}
        )
    if stored["status"] in LOCKED_STATUSES and _changed(issue, stored, fields):
        raise ContentLocked(_locked_message(issue))


def check_part_save(part, update_fields=None) -> None:
    """Refuse a save of a conclusion, item or citation that changes a published issue.

    Records on the part which issue it was in, so an edit that moves an item out of an
    approved issue sends that issue back to review too.
    """
    part._issue_left = None
    if _bypassed():
        return
    stored = None
    if part.pk is not None:
        fields = _attnames(part, update_fields)
        stored = _stored(part, [*fields, "issue_id", "issue__status"])
    if stored is not None:
        if stored["issue_id"] != part.issue_id:
            part._issue_left = stored["issue_id"]
        if stored["issue__status"] in LOCKED_STATUSES and _changed(part, stored, fields):
            raise ContentLocked(_locked_message(part.issue))
    # A new row (even one given its pk) or a move: the issue it joins must not be published.
    joins = stored is None or part._issue_left is not None
    if joins and _status_of(part.issue_id) in LOCKED_STATUSES:
        raise ContentLocked(_locked_message(part.issue))


def check_part_delete(part) -> None:
    """Refuse deleting a conclusion, item or citation of a published issue."""
    if not _bypassed() and _status_of(part.issue_id) in LOCKED_STATUSES:
        raise ContentLocked(_locked_message(part.issue))


def check_issue_delete(issue) -> None:
    """Refuse deleting a published or withdrawn issue: withdrawal is how it leaves."""
    if not _bypassed() and _status_of(issue.pk) in LOCKED_STATUSES:
        raise ContentLocked(_locked_message(issue))


def check_tags_change(instance, model, pk_set, reverse: bool) -> None:
    """Refuse adding or removing tags of an item of a published issue."""
    if _bypassed():
        return
    if not reverse:
        items = [instance]
    elif pk_set is None:  # clearing a tag from every item that has it
        items = model._base_manager.filter(tags=instance)
    else:
        items = model._base_manager.filter(pk__in=pk_set)
    for item in items:
        if _status_of(item.issue_id) in LOCKED_STATUSES:
            raise ContentLocked(_locked_message(item.issue))


def issues_freezing(source) -> list[str]:
    """Names of the issues whose citing of `source` freezes its URL, kind and publisher."""
    from .models import Issue

    cited = Issue.objects.filter(citations__source=source, status__in=SOURCE_FREEZING_STATUSES)
    return [str(issue) for issue in cited.distinct().order_by("date")]


def _locked_message(issue) -> str:
    return _("“%(issue)s”已经发布，内容只能通过更正修改。") % {"issue": issue}
