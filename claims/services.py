"""Checking the figures of items against their cited captures, and what editors do with them.

Items are duck-typed (this app sits below events): an item has `section` ("event", "signal",
"paper"), `citations` (each with a `source`), `issue.date`, and the factual fields named in
FACTUAL_FIELDS. Opinion fields (why it matters, implications, the one-line take, applications)
are never checked.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sources.models import Snapshot

from .checking import SourceIndex, SourceText, Status, Verdict, check_figure
from .figures import extract
from .models import Claim, ClaimLog

PERMISSION = "verification.verify_item"
MAX_NOTE = 2000

FACTUAL_FIELDS = {
    "event": ("title", "what_happened", "key_facts"),
    "signal": ("headline",),
    "paper": ("name", "headline", "what_it_does", "what_is_new"),
}


class InvalidAcceptance(Exception):
    """The acceptance cannot be recorded as asked (no note, nothing to accept)."""


def factual_fields(item) -> list[tuple[str, str]]:
    """The item's checked fields and their text, in reading order."""
    return [(name, getattr(item, name, "") or "") for name in FACTUAL_FIELDS.get(item.section, ())]


def _default_year(item) -> int | None:
    issue = getattr(item, "issue", None)
    return issue.date.year if issue is not None and issue.date else None


class Captures:
    """The latest successful capture of each source and its text, each read once."""

    def __init__(self, sources):
        rows = Snapshot.objects.newest_successful_of([source.pk for source in sources])
        self.latest: dict[int, Snapshot] = {
            snapshot.source_id: snapshot for snapshot in rows.select_related("source")
        }
        self.texts: dict[int, str | None] = {}

    def source_text(self, source) -> SourceText:
        snapshot = self.latest.get(source.pk)
        if snapshot is None:
            return SourceText(source.url, None)
        if snapshot.pk not in self.texts:
            self.texts[snapshot.pk] = snapshot.read_text()
        published = snapshot.page_date.isoformat() if snapshot.page_date else None
        return SourceText(source.url, self.texts[snapshot.pk], key=snapshot, published=published)


def check_item(item, captures: Captures | None = None) -> list[Verdict]:
    """A fresh verdict on every figure of the item's factual fields (nothing is written)."""
    sources = [citation.source for citation in item.citations.all()]
    captures = captures or Captures(sources)
    index = SourceIndex([captures.source_text(s) for s in sources])
    verdicts = []
    for name, text in factual_fields(item):
        for figure in extract(text, default_year=_default_year(item)):
            verdicts.append(check_figure(name, text, figure, index))
    return verdicts


def _row(verdict: Verdict, occurrence: int, position: int) -> dict:
    figure, passage = verdict.figure, verdict.passage
    return {
        "position": position,
        "kind": figure.kind,
        "value": figure.value,
        "unit": figure.unit or "",
        "date": figure.iso_date or "",
        "qualifier": figure.qualifier,
        "status": verdict.status,
        "snapshot": verdict.source.key if verdict.source else None,
        "quote_exact": passage.exact if passage else "",
        "quote_prefix": passage.prefix if passage else "",
        "quote_suffix": passage.suffix if passage else "",
        "quote_start": passage.start if passage else None,
        "quote_end": passage.end if passage else None,
    }


def _keyed(verdicts):
    """(field, text, occurrence), verdict: the key a stored claim and its acceptance keep."""
    seen: dict[tuple, int] = {}
    for verdict in verdicts:
        key = (verdict.field, verdict.figure.text[:200])
        seen[key] = seen.get(key, 0) + 1
        yield (*key, seen[key]), verdict


def refresh_item(item, captures: Captures | None = None) -> list[Claim]:
    """Re-check the item and store the result; acceptances by hand are kept. Returns its claims."""
    verdicts = check_item(item, captures)
    try:
        return _store(item, verdicts)
    except IntegrityError:
        # Another request stored the same new figures first: store over what it wrote.
        return _store(item, verdicts)


def _store(item, verdicts) -> list[Claim]:
    content_type = ContentType.objects.get_for_model(type(item))
    kept = []
    with transaction.atomic():
        existing = {
            (c.field, c.text, c.occurrence): c
            for c in Claim.objects.filter(content_type=content_type, object_id=item.pk)
        }
        for position, (key, verdict) in enumerate(_keyed(verdicts)):
            values = _row(verdict, key[2], position)
            claim = existing.pop(key, None)
            if claim is None:
                claim = Claim(content_type=content_type, object_id=item.pk, field=key[0])
                claim.text, claim.occurrence = key[1], key[2]
            for name, value in values.items():
                setattr(claim, name, value)
            if claim.pk is None:
                claim.save()
            else:
                # Only what the check decides: an acceptance made meanwhile must not be undone.
                claim.save(update_fields=[*values, "checked_at"])
            kept.append(claim)
        Claim.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    return kept


def refresh_items(items) -> dict:
    """Claims of several items (one issue), sharing one read of every capture."""
    items = list(items)
    captures = Captures({c.source for item in items for c in item.citations.all()})
    return {(item.section, item.pk): refresh_item(item, captures) for item in items}


def _log(claim: Claim, action: str, *, by, note: str) -> ClaimLog:
    return ClaimLog.objects.create(
        content_type_id=claim.content_type_id,
        object_id=claim.object_id,
        field=claim.field,
        text=claim.text,
        action=action,
        actor=by,
        note=note,
    )


def _checked_note(by, note: str) -> str:
    if by is None or not by.has_perm(PERMISSION):
        raise PermissionDenied(_("你没有核实内容的权限。"))
    note = (note or "").strip()
    if not note:
        raise InvalidAcceptance(_("请写明人工核对的依据。"))
    if len(note) > MAX_NOTE:
        raise InvalidAcceptance(_("说明太长（最多 %(max)d 字）。") % {"max": MAX_NOTE})
    return note


def accept(claim: Claim, *, by, note: str) -> Claim:
    """An editor checked the figure by hand: it no longer holds the gate. Logged."""
    note = _checked_note(by, note)
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.is_accepted:
            raise InvalidAcceptance(_("这个数字已经人工确认过了。"))
        locked.accepted_by, locked.accepted_at, locked.accepted_note = by, timezone.now(), note
        locked.save(update_fields=["accepted_by", "accepted_at", "accepted_note"])
        _log(locked, ClaimLog.Action.ACCEPTED, by=by, note=note)
    return locked


def revoke(claim: Claim, *, by, note: str) -> Claim:
    """Withdraw a hand acceptance; the figure is checked against its sources again. Logged."""
    note = _checked_note(by, note)
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if not locked.is_accepted:
            raise InvalidAcceptance(_("这个数字没有人工确认，无需撤销。"))
        locked.accepted_by, locked.accepted_at, locked.accepted_note = None, None, ""
        locked.save(update_fields=["accepted_by", "accepted_at", "accepted_note"])
        _log(locked, ClaimLog.Action.REVOKED, by=by, note=note)
    return locked


def log_for(item):
    """The item's claim log, newest first."""
    return ClaimLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk
    ).select_related("actor")


def report_row(item, claim: Claim) -> dict:
    """One claim as `check_claims --json` prints it."""
    snapshot = claim.snapshot
    quote = None
    if claim.status == Status.SUPPORTED:
        quote = {
            "exact": claim.quote_exact,
            "prefix": claim.quote_prefix,
            "suffix": claim.quote_suffix,
        }
    return {
        "item": item.anchor,
        "field": claim.field,
        "text": claim.text,
        "kind": claim.kind,
        "value": None if claim.kind == Claim.Kind.DATE else claim.value,
        "unit": claim.unit or None,
        "date": claim.date or None,
        "status": claim.status,
        "source": snapshot.source.url if snapshot is not None else None,
        "quote": quote,
    }


def claims_of(item):
    """The item's stored claims, in reading order."""
    return Claim.objects.filter(
        content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk
    ).select_related("snapshot__source", "accepted_by")


def stored_claims(items) -> dict:
    """(content type id, object id) → the stored claims of each item, in one query."""
    items = list(items)
    types = {type(item): ContentType.objects.get_for_model(type(item)) for item in items}
    wanted = {(types[type(item)].pk, item.pk) for item in items}
    found: dict[tuple, list] = {}
    rows = Claim.objects.filter(object_id__in={item.pk for item in items}).select_related(
        "snapshot__source"
    )
    for claim in rows:
        key = (claim.content_type_id, claim.object_id)
        if key in wanted:
            found.setdefault(key, []).append(claim)
    return found


def unsupported(items) -> list[tuple]:
    """(item, verdict) for each figure no cited capture bears out and no editor accepted.

    Checked afresh and written nowhere, in a number of queries that does not grow with the
    items: the publish gate runs this on every page that shows it.
    """
    items = list(items)
    captures = Captures({c.source for item in items for c in item.citations.all()})
    accepted = {
        (key, claim.field, claim.text, claim.occurrence)
        for key, claims in stored_claims(items).items()
        for claim in claims
        if claim.is_accepted
    }
    types = {type(item): ContentType.objects.get_for_model(type(item)) for item in items}
    found = []
    for item in items:
        item_key = (types[type(item)].pk, item.pk)
        for key, verdict in _keyed(check_item(item, captures)):
            if verdict.status == Status.UNSUPPORTED and (item_key, *key) not in accepted:
                found.append((item, verdict))
    return found
