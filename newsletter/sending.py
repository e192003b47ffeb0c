"""Sending a mailing exactly once per subscriber.

A batch task claims deliveries with a lease (compare-and-set on the status, SKIP LOCKED on
PostgreSQL), opens one SMTP connection and, for each message, writes in one UPDATE "the previous
one was accepted" and "this one is being handed over". That UPDATE runs while the body travels,
and the final dot (the moment the server accepts) is sent only once it is stored (see
newsletter.smtp). So at any crash at most one delivery is left `sending`: when its lease runs out
it becomes `uncertain` and is never re-sent by itself, while `claimed` rows that were never
handed over go back to `pending`. Celery may run a task twice: the database decides who is sent.
"""

import contextlib
import logging
import secrets
import smtplib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db import connection as db_connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from . import smtp
from .message import MessageTemplate
from .models import Delivery, Mailing, Subscriber

# Stored in the source language and translated when shown (Delivery.error_message), so an
# editor reading the admin in English reads them in English; a server's reply is stored as sent.
LEASE_EXPIRED_WHILE_SENDING = gettext_noop(
    "租约到期时仍在发送：邮件可能已送达，需人工决定是否重发。"
)
UNSUBSCRIBED = gettext_noop("订阅者已不再订阅。")
CONNECTION_LOST = gettext_noop("发送中连接中断。")

log = logging.getLogger(__name__)
D = Delivery.Status

#: Stop handing over messages this long before the lease ends, so the sweeper never races us.
LEASE_MARGIN = timedelta(seconds=30)


class TransientSendError(Exception):
    """The mail server could not be reached or asked us to come back later: retry the task."""


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    paused: bool = False
    more: bool = False


def create_deliveries(mailing: Mailing, *, recipients=None) -> int:
    """One pending delivery per active subscriber (or per id in `recipients`), in one statement.

    Idempotent: the unique (mailing, subscriber) constraint skips those that already exist.
    """
    subscribers = Subscriber.objects.active()
    if recipients is not None:
        subscribers = subscribers.filter(pk__in=recipients)
    select_sql, params = subscribers.values_list("pk").order_by().query.sql_with_params()
    # The table name comes from the model and every value is a parameter.
    table = Delivery._meta.db_table
    columns = "(mailing_id, subscriber_id, status, attempts, claim, message_id, last_error)"
    values = "SELECT %s, U.id, 'pending', 0, '', '', ''"
    source = f"FROM {Subscriber._meta.db_table} U WHERE U.id IN ({select_sql})"
    sql = f"INSERT INTO {table} {columns} {values} {source}"
    sql += " ON CONFLICT (mailing_id, subscriber_id) DO NOTHING"
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [mailing.pk, *params])
        return cursor.rowcount


def sweep(*, mailing_id: int | None = None, now=None) -> dict[str, int]:
    """Expired leases: never handed over → pending again; maybe handed over → uncertain."""
    now = now or timezone.now()
    expired = Delivery.objects.expired(now)
    if mailing_id is not None:
        expired = expired.filter(mailing_id=mailing_id)
    released = expired.filter(status=D.CLAIMED).update(
        status=D.PENDING, claim="", lease_expires_at=None
    )
    uncertain = expired.filter(status=D.SENDING).update(
        status=D.UNCERTAIN,
        lease_expires_at=None,
        last_error=LEASE_EXPIRED_WHILE_SENDING,
    )
    if uncertain:
        log.warning("newsletter: %d deliveries marked uncertain", uncertain)
    return {"released": released, "uncertain": uncertain}


def claim(mailing: Mailing, *, limit: int, now=None) -> tuple[str, list[tuple]]:
    """Lease up to `limit` pending deliveries; returns the claim and (id, email, token) rows."""
    now = now or timezone.now()
    token = secrets.token_hex(8)
    ready = Delivery.objects.filter(mailing=mailing, status=D.PENDING).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now)
    )
    with transaction.atomic():
        # Readers who left since the deliveries were made are skipped, never mailed.
        ready.exclude(subscriber__status=Subscriber.Status.ACTIVE).update(
            status=D.SKIPPED, last_error=UNSUBSCRIBED
        )
        candidates = ready.order_by("pk")
        if db_connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids, status=D.PENDING).update(
            status=D.CLAIMED,
            claim=token,
            lease_expires_at=now + timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS),
        )
    rows = list(
        Delivery.objects.filter(claim=token, status=D.CLAIMED)
        .order_by("pk")
        .values_list("pk", "subscriber__email", "subscriber__token")
    )
    return token, rows


_HAND_OVER_SQL = (
    "UPDATE {table} SET"
    " status = CASE WHEN id = %s THEN 'sent' ELSE 'sending' END,"
    " sent_at = CASE WHEN id = %s THEN %s ELSE sent_at END,"
    " message_id = CASE WHEN id = %s THEN message_id ELSE %s END,"
    " attempts = attempts + CASE WHEN id = %s THEN 0 ELSE 1 END"
    " WHERE id IN (%s, %s) AND claim = %s"
)


def _hand_over(token: str, *, previous, current, db=None) -> bool:
    """One UPDATE: the previous message was accepted (sent), the current one is being sent.

    Plain DB-API on the sending thread's open connection (`db`, Django's connections are
    per thread), so the batch's recording thread can run it while the main thread transfers
    the message; the two never use the connection at the same time.
    """
    db = db or db_connection
    prev_pk = previous[0] if previous else 0
    cur_pk, message_id = current if current else (0, "")
    expected = bool(prev_pk) + bool(cur_pk)
    if not expected:
        return True
    sql = _HAND_OVER_SQL.format(table=Delivery._meta.db_table)
    if db.vendor == "sqlite":
        sql = sql.replace("%s", "?")
    now = db.ops.adapt_datetimefield_value(timezone.now())
    params = [prev_pk, prev_pk, now, prev_pk, message_id, prev_pk, prev_pk, cur_pk, token]
    cursor = db.connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.rowcount == expected
    finally:
        cursor.close()


def _release(token: str, ids) -> None:
    """Give back claimed deliveries that were never handed over."""
    if ids:
        Delivery.objects.filter(pk__in=ids, claim=token, status=D.CLAIMED).update(
            status=D.PENDING, claim="", lease_expires_at=None
        )


def _refused(token: str, pk: int, error: smtplib.SMTPException, *, bounce: bool = True) -> str:
    """The server answered "no" for one message: a 5xx fails it, a 4xx retries it later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (550, b""))
    else:
        code, reply = getattr(error, "smtp_code", 550), getattr(error, "smtp_error", b"")
    text = f"{code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
    rows = Delivery.objects.filter(pk=pk, claim=token)
    delivery = rows.select_related("subscriber").first()
    if code >= 500 or delivery.attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        rows.update(status=D.FAILED, last_error=text[:500], lease_expires_at=None)
        if bounce and code >= 500 and isinstance(error, smtplib.SMTPRecipientsRefused):
            delivery.subscriber.move_to(Subscriber.Status.BOUNCED)
        return "failed"
    backoff = timedelta(seconds=60 * 2 ** min(delivery.attempts, 6))
    rows.update(
        status=D.PENDING,
        claim="",
        lease_expires_at=None,
        last_error=text[:500],
        not_before=timezone.now() + backoff,
    )
    return "deferred"


def _count(result: BatchResult, outcome: str) -> None:
    setattr(result, outcome, getattr(result, outcome) + 1)


def _refused_before_acceptance(token: str, pk: int, error: Exception) -> str:
    """The server said no, or the line broke, before the final dot: nothing was delivered."""
    if isinstance(error, smtplib.SMTPSenderRefused) and error.smtp_code >= 500:
        # Refused for every message alike: give it back and let the task retry later.
        Delivery.objects.filter(pk=pk, claim=token).update(
            status=D.PENDING, claim="", lease_expires_at=None
        )
        raise TransientSendError(f"sender refused: {error}") from error
    if isinstance(error, smtplib.SMTPSenderRefused):
        return _refused(token, pk, error, bounce=False)
    if isinstance(error, (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException)):
        return _refused(token, pk, error)
    Delivery.objects.filter(pk=pk, claim=token).update(
        status=D.PENDING, claim="", lease_expires_at=None, last_error=str(error)[:500]
    )
    raise TransientSendError(f"connection lost before the message was accepted: {error}")


class _Pacer:
    """Caps messages per second (NEWSLETTER_RATE_LIMIT, shared by the mailing's lanes)."""

    def __init__(self):
        rate = settings.NEWSLETTER_RATE_LIMIT
        lanes = max(1, settings.NEWSLETTER_LANES)
        self.interval = lanes / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self):
        if self.interval:
            delay = self.next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.next_at = max(self.next_at, time.monotonic()) + self.interval


def _open(token: str, ids: list[int]):
    """The batch's SMTP connection; unreachable → its deliveries are given back for a retry."""
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except (smtplib.SMTPException, OSError) as error:
        _release(token, ids)
        raise TransientSendError(f"cannot reach the mail server: {error}") from error
    return mail


class _Batch:
    """One claimed batch going over one SMTP connection, one message at a time.

    Recording "previous sent, this one handed over" runs on a second thread while the body
    travels, on this thread's database connection (Django's connections are per thread; the
    two never use it at once); the final dot (acceptance) is sent only once it is stored.
    """

    def __init__(self, mailing: Mailing, token: str, mail, result: BatchResult):
        self.mailing, self.token, self.mail, self.result = mailing, token, mail, result
        self.template = MessageTemplate.for_mailing(mailing)
        self.transport = smtp.Transport(mail)
        self.pacer = _Pacer()
        self.previous = None  # the last accepted message, not yet recorded as sent
        self.recorder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="delivery-record")
        self.db = connections[DEFAULT_DB_ALIAS]
        self.db.ensure_connection()

    def send_all(self, rows, *, deadline) -> None:
        for pk, email, sub_token in rows:
            if timezone.now() >= deadline:
                break
            self.pacer.wait()
            self.transport.ready()
            self.send(pk, email, sub_token)

    def send(self, pk: int, email: str, sub_token: str) -> None:
        message_id = self.template.message_id(self.mailing.pk, pk)
        message = self.template.email(to=email, token=sub_token, message_id=message_id)
        current = (pk, message_id)
        record = self.recorder.submit(
            _hand_over, self.token, previous=self.previous, current=current, db=self.db
        )
        refusal = None
        try:
            self.transport.begin(message)
        except (smtplib.SMTPException, OSError) as error:
            refusal = error
        handed_over = record.result()
        self.previous = None
        if refusal is not None:
            if handed_over:
                _count(self.result, _refused_before_acceptance(self.token, pk, refusal))
        elif not handed_over:  # our lease on it was lost: make sure the server drops it
            self.transport.abort()
        elif self._finish(pk, message):
            self.previous = current
            self.result.sent += 1

    def _finish(self, pk: int, message) -> bool:
        """The final dot; True once the server accepted the message."""
        try:
            self.transport.finish(message)
        except smtplib.SMTPResponseException as error:
            _count(self.result, _refused(self.token, pk, error))
            return False
        except Exception:
            # The line broke after the dot: it may have been accepted, so it is never
            # re-sent automatically; the rest is given back and the task retries.
            Delivery.objects.filter(pk=pk, claim=self.token).update(
                status=D.UNCERTAIN, lease_expires_at=None, last_error=CONNECTION_LOST
            )
            raise
        return True

    def give_back(self, ids) -> None:
        """Record the last accepted message, and release what was never handed over."""
        _hand_over(self.token, previous=self.previous, current=None)
        self.previous = None
        _release(self.token, ids)

    def close(self) -> None:
        self.recorder.shutdown(wait=True)
        if self.transport.in_data:  # QUIT now would be read as part of the message
            self.transport.abort()
        with contextlib.suppress(Exception):  # a dead connection must not hide the real error
            self.mail.close()


def send_batch(*, mailing_id: int, limit: int | None = None) -> BatchResult:
    """Claim a batch of the mailing's deliveries and send it over one SMTP connection."""
    mailing = Mailing.objects.get(pk=mailing_id)
    if mailing.paused:
        return BatchResult(paused=True)
    sweep(mailing_id=mailing.pk)
    token, rows = claim(mailing, limit=limit or settings.NEWSLETTER_BATCH_SIZE)
    result = BatchResult(claimed=len(rows))
    if not rows:
        _finish_if_done(mailing)
        return result
    deadline = timezone.now() + timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS) - LEASE_MARGIN
    ids = [row[0] for row in rows]
    batch = _Batch(mailing, token, _open(token, ids), result)
    try:
        batch.send_all(rows, deadline=deadline)
    except (smtplib.SMTPException, OSError, TransientSendError) as error:
        batch.give_back(ids)
        if isinstance(error, TransientSendError):
            raise
        raise TransientSendError(str(error)) from error
    finally:
        batch.close()
    batch.give_back(ids)
    result.more = Delivery.objects.filter(mailing=mailing, status=D.PENDING).exists()
    if not result.more:
        _finish_if_done(mailing)
    return result


def _finish_if_done(mailing: Mailing) -> None:
    busy = Delivery.objects.filter(
        mailing=mailing, status__in=[D.PENDING, D.CLAIMED, D.SENDING]
    ).exists()
    if not busy and mailing.finished_at is None:
        Mailing.objects.filter(pk=mailing.pk, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )


def next_retry_delay(mailing_id: int) -> float | None:
    """Seconds until the earliest deferred delivery may be retried, or None when none wait."""
    first = (
        Delivery.objects.filter(mailing_id=mailing_id, status=D.PENDING, not_before__isnull=False)
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )
    if first is None:
        return None
    return max(0.0, (first - timezone.now()).total_seconds())
