"""Correcting a cited source that is frozen (sources.models.FROZEN_FIELDS).

A source cited by an approved or published issue keeps its URL, kind and publisher: published
pages link to what was verified. When it has to change (a moved page, a wrong publisher), a chief
editor corrects it here, and the change is logged and shown: a dated public correction on each
published issue citing it, a log row on every issue concerned, and approved or scheduled issues
back to review, since what they approved changed.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from sources.models import FROZEN_FIELDS, Source
from sources.normalise import normalise_url

from . import workflow
from .models import Correction, Issue
from .signals import issue_corrected
from .workflow import REOPEN, InvalidTransition, S

CITING_STATUSES = (*REOPEN.sources, S.PUBLISHED, S.WITHDRAWN)
MAX_NOTE = 2000


def correct_source(source, *, by, note: str, **changes) -> list[Correction]:
    """Change a frozen source's url, kind or publisher through the record: a dated public
    correction on each published issue citing it, approved or scheduled ones back to review,
    a log row on every issue concerned. Returns the corrections."""
    if not by.has_perm("events.correct_issue"):
        raise PermissionDenied(_("你没有权限更正来源。"))
    note = (note or "").strip()
    if not note:
        raise InvalidTransition(_("请写明更正来源的原因。"))
    if len(note) > MAX_NOTE:
        raise InvalidTransition(_("原因太长（最多 %(max)d 字）。") % {"max": MAX_NOTE})
    with transaction.atomic():
        locked = type(source).objects.select_for_update().get(pk=source.pk)
        text = _apply_source_changes(locked, changes)
        text = _("来源更正：%(changes)s。%(note)s") % {"changes": text, "note": note}
        corrections = []
        citing = Issue.objects.filter(citations__source=locked, status__in=CITING_STATUSES)
        ids = set(citing.values_list("pk", flat=True))  # FOR UPDATE may not go with DISTINCT
        for issue in Issue.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
            if issue.status == S.PUBLISHED:
                corrections.append(Correction.objects.create(issue=issue, text=text, created_by=by))
            workflow._log_in_place(issue, "correct_source", text, actor=by)
            if issue.status in REOPEN.sources:
                workflow._move(
                    issue, REOPEN, by=by, comment=text, publish_at=None, approved_fingerprint=""
                )
        locked.save(correction=True)
        for correction in corrections:
            transaction.on_commit(
                lambda c=correction: issue_corrected.send(sender=Issue, issue=c.issue, correction=c)
            )
    source.refresh_from_db()
    return corrections


def correct_cited_source(issue: Issue, source_id: str, *, by, note: str, fields) -> list:
    """correct_source for a source this issue cites, given by its id as posted; `fields` maps
    url, kind and publisher to their new values (blank ones are left as they are)."""
    cited = Source.objects.cited_by_issue(issue).filter(
        pk=int(source_id) if str(source_id).isdigit() else None
    )
    source = cited.first()
    if source is None:
        raise InvalidTransition(_("要更正的来源不是这一期引用的。"))
    changes = {
        name: fields[name].strip()
        for name in ("url", "kind", "publisher")
        if (fields.get(name) or "").strip()
    }
    return correct_source(source, by=by, note=note, **changes)


def _apply_source_changes(source, changes: dict) -> str:
    """Set the changed fields on the source; returns the change as readers will read it."""
    if set(changes) - set(FROZEN_FIELDS):
        raise InvalidTransition(_("来源更正只能修改网址、类型和发布方。"))
    if "kind" in changes and changes["kind"] not in Source.Kind.values:
        raise InvalidTransition(_("没有这个来源类型。"))
    if "url" in changes:
        changes = {**changes, "url": _checked_source_url(source, changes["url"])}
    described = []
    for name, value in changes.items():
        before = _source_value(source, name)
        setattr(source, name, value)
        after = _source_value(source, name)
        if after != before:
            label = source._meta.get_field(name).verbose_name
            described.append(
                _("%(field)s由“%(old)s”改为“%(new)s”")
                % {"field": label, "old": before, "new": after}
            )
    if not described:
        raise InvalidTransition(_("来源没有任何修改。"))
    return "；".join(described)


def _checked_source_url(source, url) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise InvalidTransition(_("请输入有效的网址（http 或 https）。")) from None
    url = normalise_url(url)
    if type(source).objects.filter(url=url).exclude(pk=source.pk).exists():
        raise InvalidTransition(_("这个网址已经是另一个来源；请改为引用那个来源。"))
    return url


def _source_value(source, name: str) -> str:
    return str(source.get_kind_display()) if name == "kind" else str(getattr(source, name))
