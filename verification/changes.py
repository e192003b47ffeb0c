"""What a change of a cited source means: the diff of the two captures, the sentence the log and
the reopened item carry, and the one open alert per item and source on a published issue.

verification.services decides what to do when a source changes; this module words and records it.
"""

import difflib
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sources.models import Snapshot, Source

from .models import Evidence, SourceChangeAlert

logger = logging.getLogger(__name__)

MAX_DIFF_LINES = 80


def text_diff(old: Snapshot, new: Snapshot) -> str:
    """A short unified diff of the two captures' extracted text, or "" when unavailable."""
    before, after = old.read_text(), new.read_text()
    if before is None or after is None:
        return ""
    lines = list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=f"#{old.pk}",
            tofile=f"#{new.pk}",
            n=1,
            lineterm="",
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        omitted = len(lines) - MAX_DIFF_LINES
        lines = [*lines[:MAX_DIFF_LINES], _("……（其余 %(n)d 行省略）") % {"n": omitted}]
    return "\n".join(lines)


def change_reason(source: Source, old: Snapshot, new: Snapshot) -> str:
    """The log's sentence naming the source and what changed."""
    old_hash, new_hash = old.content_hash(), new.content_hash()
    when = timezone.localtime(new.finished_at or timezone.now())
    return _(
        "来源“%(source)s”（%(url)s）在 %(when)s 的抓取中内容有变化："
        "快照 #%(old)s → #%(new)s，正文哈希 %(old_hash)s… → %(new_hash)s…。"
        "核实依据已失效，请重新核实。"
    ) % {
        "source": source.publisher or source.title or source.host,
        "url": source.url,
        "when": f"{when:%Y-%m-%d %H:%M}",
        "old": old.pk,
        "new": new.pk,
        "old_hash": old_hash[:12],
        "new_hash": new_hash[:12],
    }


#: Callables (item=, source=, old=, new=) -> str that say what a change means for one item (the
#: claims app names the figures the new text no longer bears out). Apps above this one
#: register here, since verification may not import them.
_change_explainers: list = []


def register_change_explainer(explain) -> None:
    """Add a callable whose sentences open the reason an item is reopened on a source change."""
    if explain not in _change_explainers:
        _change_explainers.append(explain)


def item_change_reason(item, source: Source, old: Snapshot, new: Snapshot) -> str:
    """The registered explanations for this item, then change_reason's sentence."""
    details = []
    for explain in _change_explainers:
        try:
            details.append(explain(item=item, source=source, old=old, new=new))
        except Exception:
            # The reopening must happen even when an explanation cannot be worked out.
            logger.exception("explaining the change of source %s failed", source.pk)
    return "".join(details) + change_reason(source, old, new)


def upsert_alert(item, evidence: Evidence, snapshot: Snapshot, diff: str):
    """One open alert per item and source; a later change moves it to the newest capture.

    Called with the item's row locked, so deliveries for one item do not interleave.
    """
    content_type = ContentType.objects.get_for_model(type(item))
    still_open = SourceChangeAlert.objects.filter(
        content_type=content_type,
        object_id=item.pk,
        source_id=evidence.source_id,
        resolved_at__isnull=True,
    ).first()
    if still_open is not None:
        if still_open.snapshot_id != snapshot.pk:
            still_open.snapshot, still_open.diff = snapshot, diff
            still_open.save(update_fields=["snapshot", "diff"])
        return still_open, False
    try:
        with transaction.atomic():
            return SourceChangeAlert.objects.get_or_create(
                content_type=content_type,
                object_id=item.pk,
                snapshot=snapshot,
                defaults={
                    "source_id": evidence.source_id,
                    "evidence_snapshot_id": evidence.snapshot_id,
                    "diff": diff,
                },
            )
    except IntegrityError:  # the same change delivered twice at once
        existing = SourceChangeAlert.objects.get(
            content_type=content_type, object_id=item.pk, snapshot=snapshot
        )
        return existing, False
