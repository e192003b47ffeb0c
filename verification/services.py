"""Verifying items, reopening them, and reacting when a source they relied on changes.

Every change is permission-checked, made under a row lock in one transaction, and logged with
the exact snapshots (and content hashes) it relied on.
"""

import logging
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sources.models import Snapshot, Source

from . import policy
from .changes import item_change_reason, text_diff, upsert_alert
from .models import OUTCOMES, Evidence, SourceChangeAlert, VerificationLog, VerificationStatus
from .signals import item_reopened, item_verified, published_source_changed

logger = logging.getLogger(__name__)

PERMISSION = "verification.verify_item"
#: Who may close a "source changed since publication" alert without a correction (the chief
#: editor, granted in events.roles).
RESOLVE_PERMISSION = "verification.change_sourcechangealert"
MAX_NOTE = 2000


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
    item.save_verification(list(fields))


def _checked_note(outcome: str, note: str) -> str:
    if outcome not in OUTCOMES:
        raise InvalidVerification(_("“%(outcome)s”不是可以选择的核实结论。") % {"outcome": outcome})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidVerification(_("核实说明太长（最多 %(max)d 字）。") % {"max": MAX_NOTE})
    return note


def _check_open_for_verdict(locked) -> None:
    if locked.is_verification_frozen:
        raise InvalidVerification(_("这一期已经发布，核实结论只能通过更正修改。"))
    if locked.verification_status != VerificationStatus.UNVERIFIED:
        raise InvalidVerification(
            _("这条内容现在是“%(status)s”。请先重新打开（写明原因），再重新核实。")
            % {"status": locked.get_verification_status_display()}
        )


def _record_evidence(locked, log: VerificationLog, snapshots) -> None:
    """The snapshots the verdict relies on, with the hashes a later capture is compared with."""
    locked.evidence.set(snapshots)
    _retire_evidence(locked)
    Evidence.objects.bulk_create(
        Evidence(
            log=log,
            content_type=log.content_type,
            object_id=locked.pk,
            snapshot=s,
            source_id=s.source_id,
            sha256=s.sha256,
            text_sha256=s.text_sha256,
        )
        for s in snapshots
    )


def verify(item, *, by, outcome: str, note: str, evidence) -> object:
    """Record a verdict on an unverified item, if the evidence rules allow it; returns the item."""
    _check_permission(by)
    note = _checked_note(outcome, note)
    snapshots, refused = _load_snapshots(evidence)
    with transaction.atomic():
        locked = _locked(item)
        _check_open_for_verdict(locked)
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
        log = _log(
            locked,
            from_status=VerificationStatus.UNVERIFIED,
            to_status=outcome,
            actor=by,
            note=note,
            evidence=snapshots,
        )
        _record_evidence(locked, log, snapshots)
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


@dataclass(frozen=True)
class ChangeOutcome:
    """What a source change did to one item: reopened it, or raised an alert (published)."""

    item: object
    reopened: bool
    alert: SourceChangeAlert | None = None


def _stale_evidence(source: Source, snapshot: Snapshot) -> list[Evidence]:
    """One current evidence row per item that relied on another version of the source."""
    new_hash = snapshot.content_hash()
    rows = Evidence.objects.filter(source=source, current=True).select_related(
        "snapshot", "content_type"
    )
    by_item: dict[tuple, Evidence] = {}
    for row in rows:
        if row.content_hash() != new_hash and row.snapshot_id != snapshot.pk:
            by_item.setdefault((row.content_type_id, row.object_id), row)
    return list(by_item.values())


def _alert_published(item, row: Evidence, source: Source, snapshot: Snapshot, diff: str):
    """A published item keeps its verdict; the editors get an alert, logged once per change."""
    alert, created = upsert_alert(item, row, snapshot, diff)
    if created:
        _log(
            item,
            from_status=item.verification_status,
            to_status=item.verification_status,
            actor=None,
            reason=_("已发布后来源变化，等待编辑检查：")
            + item_change_reason(item, source, row.snapshot, snapshot),
            evidence=[row.snapshot, snapshot],
            diff=diff,
        )
        transaction.on_commit(
            lambda: published_source_changed.send(sender=SourceChangeAlert, alert=alert)
        )
    return ChangeOutcome(item, reopened=False, alert=alert)


def _react_to_change(row: Evidence, source: Source, snapshot: Snapshot) -> ChangeOutcome | None:
    """Reopen the item behind one stale evidence row, or alert when it is published."""
    diff = text_diff(row.snapshot, snapshot)
    with transaction.atomic():
        model = row.content_type.model_class()
        item = model._base_manager.select_for_update().filter(pk=row.object_id).first()
        if item is None or item.verification_status == VerificationStatus.UNVERIFIED:
            return None
        if item.is_verification_frozen:
            return _alert_published(item, row, source, snapshot, diff)
        reason = item_change_reason(item, source, row.snapshot, snapshot)
        _reopen_locked(item, by=None, reason=reason, diff=diff, source=source)
        return ChangeOutcome(item, reopened=True)


def handle_source_change(*, source: Source, snapshot: Snapshot, previous=None) -> list:
    """Reopen every item whose standing verdict relied on another version of this source.

    Items of published issues are not reopened (the public record changes only by correction);
    an alert asks the editors to check and correct instead.
    """
    if snapshot.status != Snapshot.Status.SUCCEEDED:
        return []
    outcomes = [
        _react_to_change(row, source, snapshot) for row in _stale_evidence(source, snapshot)
    ]
    return [outcome for outcome in outcomes if outcome is not None]


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
