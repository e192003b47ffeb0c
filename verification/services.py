"""Verifying items, reopening them, and reacting when a source they relied on changes.

Every change is permission-checked, made under a row lock in one transaction, and logged with
the exact snapshots (and content hashes) it relied on.
"""

import difflib
import logging
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sources.models import Snapshot, Source

from . import policy
from .models import OUTCOMES, Evidence, SourceChangeAlert, VerificationLog, VerificationStatus
from .signals import item_reopened, item_verified, published_source_changed

logger = logging.getLogger(__name__)

PERMISSION = "verification.verify_item"
#: Who may close a "source changed since publication" alert: those who may correct the issue.
RESOLVE_PERMISSION = "events.correct_issue"
MAX_NOTE = 2000
MAX_DIFF_LINES = 80


class InvalidVerification(Exception):
    """The item is not in a state that allows this step."""


class VerificationRefused(InvalidVerification):
    """The evidence rules refuse the proposed verification; `refusals` names each rule."""

    def __init__(self, refusals):
        self.refusals = list(refusals)
        super().__init__("；".join(str(r) for r in self.refusals))


def _check_permission(by) -> None:
    if by is None or not by.has_perm(PERMISSION):
        raise PermissionDenied(_("你没有核实内容的权限。"))


def _locked(item):
    """The item's row, locked for the rest of the transaction."""
    return type(item)._base_manager.select_for_update().get(pk=item.pk)


def evidence_record(snapshots) -> list[dict]:
    """What the log keeps of each snapshot: id, source, address and content hashes."""
    return [
        {
            "snapshot": s.pk,
            "source": s.source_id,
            "url": s.source.url,
            "publisher": s.source.publisher,
            "finished_at": s.finished_at.isoformat() if s.finished_at else None,
            "sha256": s.sha256,
            "text_sha256": s.text_sha256,
        }
        for s in snapshots
    ]


def _load_snapshots(evidence) -> tuple[list, list[policy.Refusal]]:
    """Snapshots from instances or ids; ids that do not exist are refused, not ignored."""
    ids = []
    for entry in evidence or ():
        pk = getattr(entry, "pk", entry)
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            return [], [policy.Refusal("evidence_belongs_to_item", _("证据编号无效。"))]
    found = list(Snapshot.objects.select_related("source").filter(pk__in=set(ids)))
    missing = set(ids) - {s.pk for s in found}
    refusals = [
        policy.Refusal("evidence_belongs_to_item", _("快照 #%(id)s 不存在。") % {"id": pk})
        for pk in sorted(missing)
    ]
    return sorted(found, key=lambda s: s.pk), refusals


def _log(item, *, from_status, to_status, actor, note="", reason="", evidence=(), diff=""):
    return VerificationLog.objects.create(
        content_type=ContentType.objects.get_for_model(type(item)),
        object_id=item.pk,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note,
        reason=reason,
        evidence=evidence_record(evidence),
        diff=diff,
    )


def _retire_evidence(item) -> None:
    Evidence.objects.filter(
        content_type=ContentType.objects.get_for_model(type(item)),
        object_id=item.pk,
        current=True,
    ).update(current=False)


def _save_status(item, **fields) -> None:
    for name, value in fields.items():
        setattr(item, name, value)
    # version and updated_at move too: the note is content, and editors holding the old
    # version of the form must not overwrite the verdict unknowingly.
    item.save(update_fields=[*fields, "version", "updated_at"])


def verify(item, *, by, outcome: str, note: str, evidence) -> object:
    """Record a verdict on an unverified item, if the evidence rules allow it; returns the item."""
    _check_permission(by)
    if outcome not in OUTCOMES:
        raise InvalidVerification(_("“%(outcome)s”不是可以选择的核实结论。") % {"outcome": outcome})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidVerification(_("核实说明太长（最多 %(max)d 字）。") % {"max": MAX_NOTE})
    snapshots, refused = _load_snapshots(evidence)

    with transaction.atomic():
        locked = _locked(item)
        if locked.is_verification_frozen:
            raise InvalidVerification(_("这一期已经发布，核实结论只能通过更正修改。"))
        if locked.verification_status != VerificationStatus.UNVERIFIED:
            raise InvalidVerification(
                _("这条内容现在是“%(status)s”。请先重新打开（写明原因），再重新核实。")
                % {"status": locked.get_verification_status_display()}
            )
        refused += policy.refusals(
            locked,
            outcome=outcome,
            note=note,
            snapshots=snapshots,
            cited_sources=locked.cited_sources(),
        )
        if refused:
            raise VerificationRefused(refused)
        _save_status(
            locked,
            verification_status=outcome,
            verification_note=note,
            verified_by=by,
            verified_at=timezone.now(),
        )
        locked.evidence.set(snapshots)
        _retire_evidence(locked)
        log = _log(
            locked,
            from_status=VerificationStatus.UNVERIFIED,
            to_status=outcome,
            actor=by,
            note=note,
            evidence=snapshots,
        )
        content_type = log.content_type
        Evidence.objects.bulk_create(
            Evidence(
                log=log,
                content_type=content_type,
                object_id=locked.pk,
                snapshot=s,
                source_id=s.source_id,
                sha256=s.sha256,
                text_sha256=s.text_sha256,
            )
            for s in snapshots
        )
        transaction.on_commit(
            lambda: item_verified.send(sender=type(locked), item=locked, outcome=outcome, actor=by)
        )
    item.refresh_from_db()
    return item


def _reopen_locked(locked, *, by, reason: str, diff: str = "", source=None) -> VerificationLog:
    relied_on = list(locked.evidence.select_related("source"))
    from_status = locked.verification_status
    _save_status(
        locked,
        verification_status=VerificationStatus.UNVERIFIED,
        verified_by=None,
        verified_at=None,
    )
    locked.evidence.clear()
    _retire_evidence(locked)
    log = _log(
        locked,
        from_status=from_status,
        to_status=VerificationStatus.UNVERIFIED,
        actor=by,
        note=locked.verification_note,
        reason=reason,
        evidence=relied_on,
        diff=diff,
    )
    transaction.on_commit(
        lambda: item_reopened.send(
            sender=type(locked), item=locked, reason=reason, actor=by, source=source
        )
    )
    return log


def reopen(item, *, by, reason: str) -> object:
    """Send a verdict back to unverified by hand, with a reason; returns the item."""
    _check_permission(by)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidVerification(_("请写明重新打开的原因。"))
    if len(reason) > MAX_NOTE:
        raise InvalidVerification(_("原因太长（最多 %(max)d 字）。") % {"max": MAX_NOTE})
    with transaction.atomic():
        locked = _locked(item)
        if locked.is_verification_frozen:
            raise InvalidVerification(
                _("这一期已经发布，不能重新打开核实；如有错误，请给这一期添加更正。")
            )
        if locked.verification_status == VerificationStatus.UNVERIFIED:
            raise InvalidVerification(_("这条内容还没有核实，不需要重新打开。"))
        _reopen_locked(locked, by=by, reason=reason)
    item.refresh_from_db()
    return item


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


def _item_change_reason(item, source: Source, old: Snapshot, new: Snapshot) -> str:
    details = []
    for explain in _change_explainers:
        try:
            details.append(explain(item=item, source=source, old=old, new=new))
        except Exception:
            # The reopening must happen even when an explanation cannot be worked out.
            logger.exception("explaining the change of source %s failed", source.pk)
    return "".join(details) + change_reason(source, old, new)


@dataclass(frozen=True)
class ChangeOutcome:
    """What a source change did to one item: reopened it, or raised an alert (published)."""

    item: object
    reopened: bool
    alert: SourceChangeAlert | None = None


def _alert(item, evidence: Evidence, snapshot: Snapshot, diff: str):
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


def handle_source_change(*, source: Source, snapshot: Snapshot, previous=None) -> list:
    """Reopen every item whose standing verdict relied on another version of this source.

    Items of published issues are not reopened (the public record changes only by correction);
    an alert asks the editors to check and correct instead.
    """
    if snapshot.status != Snapshot.Status.SUCCEEDED:
        return []
    new_hash = snapshot.content_hash()
    stale = [
        row
        for row in Evidence.objects.filter(source=source, current=True).select_related(
            "snapshot", "content_type"
        )
        if row.content_hash() != new_hash and row.snapshot_id != snapshot.pk
    ]
    by_item: dict[tuple, Evidence] = {}
    for row in stale:
        by_item.setdefault((row.content_type_id, row.object_id), row)

    outcomes = []
    for row in by_item.values():
        model = row.content_type.model_class()
        diff = text_diff(row.snapshot, snapshot)
        with transaction.atomic():
            item = model._base_manager.select_for_update().filter(pk=row.object_id).first()
            if item is None or item.verification_status == VerificationStatus.UNVERIFIED:
                continue
            if item.is_verification_frozen:
                alert, created = _alert(item, row, snapshot, diff)
                if created:
                    _log(
                        item,
                        from_status=item.verification_status,
                        to_status=item.verification_status,
                        actor=None,
                        reason=_("已发布后来源变化，等待编辑检查：")
                        + _item_change_reason(item, source, row.snapshot, snapshot),
                        evidence=[row.snapshot, snapshot],
                        diff=diff,
                    )
                    transaction.on_commit(
                        lambda alert=alert: published_source_changed.send(
                            sender=SourceChangeAlert, alert=alert
                        )
                    )
                outcomes.append(ChangeOutcome(item, reopened=False, alert=alert))
                continue
            _reopen_locked(
                item,
                by=None,
                reason=_item_change_reason(item, source, row.snapshot, snapshot),
                diff=diff,
                source=source,
            )
            outcomes.append(ChangeOutcome(item, reopened=True))
    return outcomes


def open_alerts_for(items):
    """Unresolved "source changed since publication" alerts of these items, oldest first."""
    items = list(items)
    if not items:
        return SourceChangeAlert.objects.none()
    by_type: dict[int, list[int]] = {}
    for item in items:
        by_type.setdefault(ContentType.objects.get_for_model(type(item)).pk, []).append(item.pk)
    condition = Q()
    for type_id, ids in by_type.items():
        condition |= Q(content_type_id=type_id, object_id__in=ids)
    return (
        SourceChangeAlert.objects.filter(condition, resolved_at__isnull=True)
        .select_related("source", "snapshot", "evidence_snapshot", "content_type")
        .order_by("created_at", "pk")
    )


def resolve_alerts(items, *, by, resolution: str) -> int:
    """Close the open alerts of these items (a correction was added, or an editor checked)."""
    ids = list(open_alerts_for(items).values_list("pk", flat=True))
    return SourceChangeAlert.objects.filter(pk__in=ids, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by, resolution=resolution
    )


def dismiss_alert(alert: SourceChangeAlert, *, by) -> bool:
    """An editor checked the change and no correction is needed; returns False if already closed."""
    if not by.has_perm(RESOLVE_PERMISSION):
        raise PermissionDenied(_("只有可以更正日报的编辑能处理这条提醒。"))
    return bool(
        SourceChangeAlert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now(),
            resolved_by=by,
            resolution=SourceChangeAlert.Resolution.DISMISSED,
        )
    )


def log_for(item):
    """The item's verification log, newest first."""
    return VerificationLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk
    ).select_related("actor")
