"""The verification queue: across open issues, what needs an analyst's attention, oldest first.

Served under the issue admin's URLs by events/admin/gate_panel.py.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from claims import services as claims
from claims.admin import rows as claim_rows
from verification import services
from verification.admin import item_label, verify_url
from verification.models import PUBLISHABLE_STATUSES, SourceChangeAlert, VerificationLog

from .. import sections
from ..models import OPEN_STATUSES


@dataclass(frozen=True)
class Entry:
    """One item waiting for verification, and since when."""

    item: object
    label: str
    since: datetime
    why: str
    url: str
    claims: tuple = ()


def _last_logs(items) -> tuple[dict, dict]:
    """(content type id, object id) → the item's latest verification log row, in one query."""
    types = {model: ContentType.objects.get_for_model(model) for model in sections.models()}
    wanted = {(types[type(item)].pk, item.pk) for item in items}
    latest = {}
    rows = VerificationLog.objects.filter(object_id__in={item.pk for item in items}).order_by(
        "created_at", "pk"
    )
    for row in rows:
        key = (row.content_type_id, row.object_id)
        if key in wanted:
            latest[key] = row
    return latest, types


def queue_entries() -> list[Entry]:
    """Items of open issues that are not verified or partially verified, longest waiting first."""
    items = [
        item
        for model in sections.models()
        for item in model.objects.filter(issue__status__in=OPEN_STATUSES)
        .exclude(verification_status__in=PUBLISHABLE_STATUSES)
        .select_related("issue")
    ]
    if not items:
        return []
    logs, types = _last_logs(items)
    stored = claims.stored_claims(items)
    entries = []
    for item in items:
        log = logs.get((types[type(item)].pk, item.pk))
        if log is None:
            since, why = item.created_at, _("新内容，尚未核实")
        elif log.to_status == "unverified":
            since, why = log.created_at, _("已重新打开：%(reason)s") % {"reason": log.reason}
        else:
            since, why = log.created_at, log.note or log.get_to_status_display()
        figures = claim_rows(item, stored.get((types[type(item)].pk, item.pk), []))
        entries.append(Entry(item, item_label(item), since, why, verify_url(item), figures))
    return sorted(entries, key=lambda entry: (entry.since, entry.item.issue.date))


def open_alerts() -> list[SourceChangeAlert]:
    """Published issues whose sources changed after publication, oldest first."""
    return list(
        SourceChangeAlert.objects.filter(resolved_at__isnull=True)
        .select_related("source")
        .prefetch_related("item__issue")
        .order_by("created_at", "pk")
    )


def queue_view(request, model_admin):
    """The admin page listing the queue; only those who may verify see it."""
    if not request.user.has_perm(services.PERMISSION):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "admin/events/issue/verification_queue.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": _("核实队列"),
            "entries": queue_entries(),
            "alerts": open_alerts(),
        },
    )
