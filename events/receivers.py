"""Signal receivers of the events app: each a one-line call into the workflow."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from sources.signals import source_freeze_check

from . import content_guard, sections, workflow
from .models import Citation, Conclusion, Issue

CONTENT_MODELS = (Conclusion, *sections.models(), Citation)
#: Saves touching only these come from verification.services, whose own signal (handled in
#: receivers_verification) sends the issue back to review with the reason it knows.
VERIFICATION_FIELDS = frozenset(
    {
        "verification_status",
        "verification_note",
        "verified_by",
        "verified_at",
        "version",
        "updated_at",
    }
)


def _recheck_after_commit(issue_id):
    transaction.on_commit(lambda: workflow.return_to_review_if_changed(issue_id))


@receiver(post_save, sender=Issue)
def issue_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _recheck_after_commit(instance.pk)


@receiver(post_save)
@receiver(post_delete)
def content_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    """An edit to any part of an approved issue sends it back to review."""
    if update_fields and set(update_fields) <= VERIFICATION_FIELDS:
        return
    if sender in CONTENT_MODELS and not raw:
        _recheck_after_commit(instance.issue_id)
        if getattr(instance, "_issue_left", None):
            _recheck_after_commit(instance._issue_left)  # an item moved out of it


@receiver(pre_delete)
def content_deleted(sender, instance, **kwargs):
    """Queryset deletes and cascades may not change a published issue either (a row's own
    delete() refuses first, before Django opens the delete's transaction)."""
    if sender in CONTENT_MODELS:
        content_guard.check_part_delete(instance)
    elif sender is Issue:
        content_guard.check_issue_delete(instance)


TAG_RELATIONS = frozenset(model.tags.through for model in sections.models())


@receiver(m2m_changed)
def tags_changed(sender, instance, action, reverse=False, **kwargs):
    """Tags are shown to readers; evidence (the other m2m) is verification's business."""
    if sender not in TAG_RELATIONS:
        return
    if action.startswith("pre_"):
        content_guard.check_tags_change(instance, kwargs["model"], kwargs["pk_set"], reverse)
    elif not reverse:
        _recheck_after_commit(instance.issue_id)
    else:
        for item in kwargs["model"]._base_manager.filter(pk__in=kwargs["pk_set"] or ()):
            _recheck_after_commit(item.issue_id)


@receiver(post_save, sender=Citation)
def capture_newly_cited_source(sender, instance, raw=False, **kwargs):
    """A citation of a source never captured queues its first capture (after commit)."""
    if not raw:
        from sources import services as snapshots

        snapshots.queue_first_capture(source_id=instance.source_id)


@receiver(source_freeze_check, dispatch_uid="events.sources_cited_by_approved_issues")
def issues_freezing_source(sender, source, **kwargs):
    """Approved, scheduled, published or withdrawn issues citing the source, by name."""
    return content_guard.issues_freezing(source)
