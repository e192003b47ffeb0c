"""Subscriptions: subscribe with double opt-in, confirm, unsubscribe, bounces, CSV import/export."""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Subscriber

CONFIRM_SALT = "newsletter.confirm"
S = Subscriber.Status


def normalise_email(email: str) -> str:
    """Trim the address and lower-case its domain (the local part is the server's business)."""
    email = (email or "").strip()
    local, at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if at else email


def confirmation_token(subscriber: Subscriber) -> str:
    """A signed, expiring token naming the subscriber (and bound to their unsubscribe token)."""
    return signing.dumps({"id": subscriber.pk, "t": subscriber.token[:12]}, salt=CONFIRM_SALT)


def subscriber_for_confirmation(token: str) -> Subscriber | None:
    """The subscriber a confirmation token names, or None when forged, altered or expired."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict):
        return None
    subscriber = Subscriber.objects.filter(pk=data.get("id")).first()
    if subscriber is None or subscriber.token[:12] != data.get("t"):
        return None
    return subscriber


def request_subscription(*, email: str, source: str = "web") -> None:
    """Queue the subscription request; the visitor's answer never waits on what is known.

    Looking the address up, creating a row or queueing a confirmation took measurably longer
    for some addresses than for others, so the time of the answer told whether an address was
    subscribed. Every address now costs the same: no query, one task.
    """
    from .tasks import request_subscription

    request_subscription.delay_on_commit(email, source)


def subscribe(*, email: str, source: str = "web") -> None:
    """Ask for a subscription; the caller learns nothing about whether the address was known.

    New and pending addresses get a confirmation email; an unsubscribed reader must confirm
    again; active, bounced and complained addresses get nothing (no mail to people who
    complained, no second copy to people already subscribed).
    """
    from .tasks import send_confirmation

    email = normalise_email(email)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().with_email(email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email, source=source)
            except IntegrityError:  # the same address submitted twice at once
                return
        elif subscriber.status == S.UNSUBSCRIBED:
            subscriber.move_to(S.PENDING)
        elif subscriber.status != S.PENDING:
            return
        send_confirmation.delay_on_commit(subscriber.pk)


def send_confirmation_email(subscriber_id: int) -> bool:
    """Email the confirmation link to a pending subscriber."""
    from django.core.mail import get_connection

    from .message import plain_email

    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=S.PENDING).first()
    if subscriber is None:
        return False
    url = settings.SITE_URL + reverse("newsletter:confirm", args=[confirmation_token(subscriber)])
    body = render_to_string(
        "email/confirm.txt",
        {"confirm_url": url, "days": settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400},
    )
    message = plain_email(
        subject=_("请确认订阅 AI前沿发展日报"), body=body, to=subscriber.email, kind="confirmation"
    )
    get_connection(fail_silently=False).send_messages([message])
    return True


def confirm(subscriber: Subscriber) -> bool:
    """Make a pending subscriber active; other states are left alone."""
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if locked.status != S.PENDING:
            return locked.status == S.ACTIVE
        return locked.move_to(S.ACTIVE)


def unsubscribe(*, token: str) -> bool:
    """Unsubscribe whoever holds this token; False for an unknown token."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(token=token).first()
        if subscriber is None:
            return False
        if subscriber.status in (S.ACTIVE, S.PENDING):
            subscriber.move_to(S.UNSUBSCRIBED)
    return True


def report_feedback(*, kind: str, email: str = "", message_id: str = "") -> Subscriber | None:
    """A bounce or complaint from the mail provider: the subscriber stops receiving mail."""
    from .models import Delivery

    status = {"bounce": S.BOUNCED, "complaint": S.COMPLAINED}.get(kind)
    if status is None:
        raise ValueError(kind)
    subscriber = None
    if message_id:
        delivery = Delivery.objects.filter(message_id=message_id).select_related("subscriber")
        subscriber = delivery.first().subscriber if delivery.exists() else None
    if subscriber is None and email:
        subscriber = Subscriber.objects.with_email(normalise_email(email)).first()
    if subscriber is None:
        return None
    # A complaint outranks a bounce; an unsubscribed reader stays unsubscribed after a bounce.
    if subscriber.status == S.COMPLAINED or (
        status == S.BOUNCED and subscriber.status == S.UNSUBSCRIBED
    ):
        return subscriber
    subscriber.move_to(status)
    return subscriber


@dataclass
class ImportReport:
    created: int = 0
    duplicates: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def import_csv(data: bytes, *, max_rows: int = 100_000) -> ImportReport:
    """Import active subscribers from a CSV with an `email` column; nothing is written on errors."""
    report = ImportReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append(_("文件不是 UTF-8 编码的 CSV。"))
        return report
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "email" not in [f.strip().lower() for f in reader.fieldnames]:
        report.errors.append(_("第 1 行：缺少 email 列。"))
        return report
    column = next(f for f in reader.fieldnames if f.strip().lower() == "email")
    seen: dict[str, int] = {}
    emails = []
    for line, row in enumerate(reader, start=2):
        if line > max_rows + 1:
            report.errors.append(_("行数超过上限 %(max)d。") % {"max": max_rows})
            break
        email = normalise_email(row.get(column) or "")
        try:
            validate_email(email)
        except ValidationError:
            report.errors.append(_("第 %(line)d 行：无效的邮箱地址。") % {"line": line})
            continue
        key = email.lower()
        if key in seen:
            report.duplicates.append(email)
            continue
        seen[key] = line
        emails.append(email)
    if report.errors:
        return report
    existing = {e.lower() for e in Subscriber.objects.values_list("email", flat=True)}
    new = [e for e in emails if e.lower() not in existing]
    report.duplicates += [e for e in emails if e.lower() in existing]
    # Imported lists already consented elsewhere; the admin who imports answers for that.
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [Subscriber(email=e, status=S.ACTIVE, source="import", confirmed_at=now) for e in new],
        batch_size=1000,
        ignore_conflicts=True,  # someone subscribing through the site at the same moment
    )
    report.created = len(new)
    return report


EXPORT_FIELDS = ["email", "status", "source", "created_at", "confirmed_at", "unsubscribed_at"]


def _safe_cell(value) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in exported cells."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(queryset) -> str:
    """The subscribers as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_FIELDS)
    for row in queryset.values_list(*EXPORT_FIELDS).iterator():
        writer.writerow([_safe_cell(v) for v in row])
    return out.getvalue()
