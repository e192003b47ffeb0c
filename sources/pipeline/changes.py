"""An extracted capture finished as succeeded, and its source flagged when the text changed."""

from django.db import transaction
from django.utils import timezone

from ..models import Snapshot, Source
from ..signals import source_changed
from .bookkeeping import bookkeeping
from .finishing import EXTRACTED_FIELDS


def finish_extraction(snapshot: Snapshot) -> Snapshot:
    """Finish the captured row with what extraction found; a text that differs from the
    previous capture's flags the source and sends `source_changed` once committed."""
    previous = snapshot.source.latest_succeeded_snapshot()  # this one is still only captured
    changed = bool(
        previous is not None
        and snapshot.text_sha256
        and previous.text_sha256
        and snapshot.text_sha256 != previous.text_sha256
    )
    values = {name: getattr(snapshot, name) for name in EXTRACTED_FIELDS}
    with bookkeeping():
        finished = Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.CAPTURED).update(
            status=Snapshot.Status.SUCCEEDED,
            content_changed=changed,
            text_file=snapshot.text_file.name or "",
            **values,
        )
        if not finished:  # extracted twice at once (a redelivered task): the first one stands
            snapshot.refresh_from_db()
            return snapshot
        _update_source(snapshot, changed=changed)
        if changed:
            transaction.on_commit(
                lambda: source_changed.send(
                    sender=Source,
                    source=Source.objects.get(pk=snapshot.source_id),
                    snapshot=Snapshot.objects.get(pk=snapshot.pk),
                    previous=previous,
                )
            )
    snapshot.status, snapshot.content_changed = Snapshot.Status.SUCCEEDED, changed
    return snapshot


def _update_source(snapshot: Snapshot, *, changed: bool) -> None:
    """Record the change on the source, and give a source without a title the page's."""
    source = snapshot.source
    updates = {}
    if changed:
        updates["content_changed_at"] = timezone.now()
    if not source.title and snapshot.page_title:
        updates["title"] = snapshot.page_title
    if updates:
        Source.objects.filter(pk=source.pk).update(**updates)
