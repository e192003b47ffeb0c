"""The channels' ledger: which deliveries an event makes, and sending each exactly once.

A delivery is claimed by a compare-and-set from `queued` to `sending` before its request leaves.
Whatever happens next is written back: `sent`, `queued` again with a backoff after a definite
"come back later", `failed` with the reason, or `uncertain` when the request may have arrived
without an answer. A worker that dies mid-request leaves `sending`, which the sweeper turns into
`uncertain` once its lease runs out; an uncertain delivery is sent again only when the chief
editor says so (`retry`).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from events.models import Correction, Issue

from . import http
from .models import ChannelDelivery, WebhookEndpoint
from .outcomes import Failed, Retry, Uncertain
from .registry import CHANNELS, enabled

log = logging.getLogger(__name__)
S = ChannelDelivery.Status
K = ChannelDelivery.Kind

LEASE_EXPIRED = gettext_noop("租约到期时仍在发送：对方可能已收到，需人工决定是否重发。")
NO_ANSWER = gettext_noop("请求已发出但没有收到答复：对方可能已收到，需人工决定是否重发。")
MAX_BACKOFF = 3600


def create_deliveries(issue, kind: str, *, correction=None) -> list[ChannelDelivery]:
    """One delivery per enabled channel that takes this event (and per active webhook);
    idempotent: a second call for the same event finds the rows the first one made."""
    rows = []
    for name in enabled():
        if kind not in CHANNELS[name].kinds:
            continue
        endpoints = [None]
        if name == ChannelDelivery.Channel.WEBHOOK:
            endpoints = list(WebhookEndpoint.objects.filter(active=True))
        for endpoint in endpoints:
            key = ChannelDelivery.key_for(
                issue.pk,
                name,
                kind,
                endpoint_id=endpoint.pk if endpoint else None,
                correction_id=correction.pk if correction else None,
            )
            row, _created = ChannelDelivery.objects.get_or_create(
                key=key,
                defaults={
                    "issue": issue,
                    "channel": name,
                    "kind": kind,
                    "endpoint": endpoint,
                    "correction": correction,
                },
            )
            rows.append(row)
    return rows


def backoff(attempts: int) -> float:
    """Seconds before the next try: the configured first wait, doubled after each attempt."""
    return min(settings.CHANNELS_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def claim(delivery_id: int, *, now=None) -> ChannelDelivery | None:
    """Take a queued, due delivery for sending (compare-and-set); None when another has it."""
    now = now or timezone.now()
    due = Q(not_before__isnull=True) | Q(not_before__lte=now)
    lease = now + timedelta(seconds=settings.CHANNELS_LEASE_SECONDS)
    with transaction.atomic():
        row = ChannelDelivery.objects.filter(pk=delivery_id, status=S.QUEUED).filter(due).first()
        if row is None:
            return None
        taken = ChannelDelivery.objects.filter(pk=row.pk, status=S.QUEUED).update(
            status=S.SENDING, attempts=row.attempts + 1, lease_expires_at=lease
        )
    if not taken:
        return None
    row.refresh_from_db()
    return row


def record_progress(delivery: ChannelDelivery, **remote) -> None:
    """Store what the other side has already done (WeChat's media_id) before the next step."""
    delivery.remote = {**delivery.remote, **remote}
    ChannelDelivery.objects.filter(pk=delivery.pk, status=S.SENDING).update(remote=delivery.remote)


def _finish(delivery, status, *, error="", not_before=None, now=None) -> None:
    fields = {"status": status, "last_error": error[:500], "lease_expires_at": None}
    fields["not_before"] = not_before
    fields["remote"] = delivery.remote
    if status == S.SENT:
        fields["sent_at"] = now or timezone.now()
    ChannelDelivery.objects.filter(pk=delivery.pk, status=S.SENDING).update(**fields)


def _retry_or_fail(delivery, message: str, after, now) -> str:
    if delivery.attempts >= settings.CHANNELS_MAX_ATTEMPTS:
        _finish(delivery, S.FAILED, error=message)
        return S.FAILED
    wait = after if after is not None else backoff(delivery.attempts)
    _finish(delivery, S.QUEUED, error=message, not_before=now + timedelta(seconds=wait))
    return S.QUEUED


def deliver(delivery_id: int, *, now=None) -> str | None:
    """Send one delivery if it is queued and due; returns its new status (None: not ours)."""
    now = now or timezone.now()
    delivery = claim(delivery_id, now=now)
    if delivery is None:
        return None
    channel = CHANNELS[delivery.channel]
    try:
        remote = channel.send(delivery)
    except Retry as exc:
        return _retry_or_fail(delivery, str(exc), exc.after, now)
    except http.NotSent as exc:
        return _retry_or_fail(delivery, str(exc), None, now)
    except http.NoAnswer as exc:
        if channel.repeatable:  # the receiver deduplicates by the delivery header
            return _retry_or_fail(delivery, str(exc), None, now)
        _finish(delivery, S.UNCERTAIN, error=f"{NO_ANSWER} {exc}")
        return S.UNCERTAIN
    except Uncertain as exc:
        _finish(delivery, S.UNCERTAIN, error=str(exc))
        return S.UNCERTAIN
    except (Failed, http.Refused) as exc:
        _finish(delivery, S.FAILED, error=str(exc))
        return S.FAILED
    delivery.remote = {**delivery.remote, **(remote or {})}
    _finish(delivery, S.SENT, now=now)
    return S.SENT


def sweep(*, now=None) -> int:
    """Deliveries still `sending` after their lease: the worker died, the outcome is unknown."""
    now = now or timezone.now()
    count = ChannelDelivery.objects.filter(status=S.SENDING, lease_expires_at__lt=now).update(
        status=S.UNCERTAIN, lease_expires_at=None, last_error=LEASE_EXPIRED
    )
    if count:
        log.warning("channels: %d deliveries marked uncertain", count)
    return count


def due_ids(*, now=None, limit: int = 100) -> list[int]:
    """Queued deliveries whose backoff has passed, oldest first."""
    now = now or timezone.now()
    ready = Q(not_before__isnull=True) | Q(not_before__lte=now)
    rows = ChannelDelivery.objects.filter(status=S.QUEUED).filter(ready).order_by("pk")
    return list(rows.values_list("pk", flat=True)[:limit])


def retry(delivery: ChannelDelivery) -> bool:
    """The chief editor's decision: send a failed or uncertain delivery again."""
    return bool(
        ChannelDelivery.objects.filter(pk=delivery.pk, status__in=[S.FAILED, S.UNCERTAIN]).update(
            status=S.QUEUED, not_before=None, last_error=""
        )
    )


def start(*, issue_id: int, kind: str, correction_id: int | None = None) -> list[int]:
    """The deliveries of one event of one issue (made once), ids of those still queued."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return []
    if kind == K.PUBLISH and issue.status != Issue.Status.PUBLISHED:
        return []  # withdrawn again before the worker got to it: announce nothing
    correction = Correction.objects.filter(pk=correction_id).first() if correction_id else None
    rows = create_deliveries(issue, kind, correction=correction)
    return [row.pk for row in rows if row.status == S.QUEUED]


def seconds_until_due(delivery_id: int, *, now) -> float:
    """How long a queued delivery waits for its backoff."""
    row = ChannelDelivery.objects.filter(pk=delivery_id).values_list("not_before", flat=True)
    not_before = row.first()
    return max((not_before - now).total_seconds(), 0.0) if not_before else 0.0
