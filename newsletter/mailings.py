"""Starting, pausing, resuming and re-sending mailings: the digest and correction notices."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from events.rendering.email import render_correction, render_email

from . import sending
from .message import MessageTemplate
from .models import Delivery, Mailing, Subscriber

D = Delivery.Status
SEND_PERMISSION = "newsletter.send_mailing"
#: Work left and no delivery touched for this long: the mailing's tasks were lost.
STALLED_AFTER = timedelta(minutes=3)
TEST_TOKEN = "test-copy"  # noqa: S105 - not a secret: no subscriber has this token


def can_send(user) -> bool:
    """Whether the user may send, pause and resend mailings (the chief editor's role)."""
    return user.is_active and user.has_perm(SEND_PERMISSION)


def _queue(mailing: Mailing) -> None:
    from .tasks import send_mailing

    send_mailing.delay_on_commit(mailing.pk)


def digest_for(issue) -> Mailing:
    """The issue's digest mailing, rendered once: later calls return the stored one."""
    existing = Mailing.objects.filter(issue=issue, kind=Mailing.Kind.DIGEST).first()
    if existing:
        return existing
    rendered = render_email(issue)
    try:
        with transaction.atomic():
            return Mailing.objects.create(
                issue=issue,
                kind=Mailing.Kind.DIGEST,
                subject=rendered.subject,
                preheader=rendered.preheader,
                html=rendered.html,
                text=rendered.text,
            )
    except IntegrityError:  # published twice at once: the other one rendered it
        return Mailing.objects.get(issue=issue, kind=Mailing.Kind.DIGEST)


def start_digest(issue) -> Mailing:
    """Deliveries for every active subscriber, queued after commit; safe to call again."""
    if issue.status != issue.Status.PUBLISHED:
        raise ValueError("only a published issue is sent")
    with transaction.atomic():
        mailing = digest_for(issue)
        sending.create_deliveries(mailing)
        _queue(mailing)
    return mailing


def start_correction_notice(correction) -> Mailing:
    """A notice of the correction to exactly the people who received the issue, once each."""
    issue = correction.issue
    with transaction.atomic():
        mailing = Mailing.objects.filter(correction=correction).first()
        if mailing is None:
            rendered = render_correction(issue, correction)
            mailing = Mailing.objects.create(
                issue=issue,
                kind=Mailing.Kind.CORRECTION,
                correction=correction,
                subject=rendered.subject,
                preheader=rendered.preheader,
                html=rendered.html,
                text=rendered.text,
            )
        received = Delivery.objects.filter(
            mailing__issue=issue, mailing__kind=Mailing.Kind.DIGEST, status=D.SENT
        ).values("subscriber_id")
        sending.create_deliveries(mailing, recipients=received)
        _queue(mailing)
    return mailing


def pause(mailing: Mailing) -> None:
    """Stop claiming new batches; a batch already being sent finishes."""
    Mailing.objects.filter(pk=mailing.pk).update(paused=True)


def resume(mailing: Mailing) -> None:
    """Continue a paused mailing where it stopped."""
    with transaction.atomic():
        Mailing.objects.filter(pk=mailing.pk).update(paused=False)
        _queue(mailing)


def resume_stalled(*, now=None) -> int:
    """Queue again unpaused, unfinished mailings whose tasks were lost; returns how many.

    A broker restarted without persistence drops the batches a mailing queued for itself.
    The deliveries are in the database, so sending picks up where it stopped; the claims
    make sure a mailing queued twice still sends each message once.
    """
    now = now or timezone.now()
    sending.sweep(now=now)  # expired leases first: their deliveries are pending again
    quiet_since = now - STALLED_AFTER
    waiting = Delivery.objects.filter(status=D.PENDING).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=quiet_since)
    )
    busy = Delivery.objects.filter(
        Q(status__in=[D.CLAIMED, D.SENDING], lease_expires_at__gte=now)
        | Q(sent_at__gte=quiet_since)
    )
    stalled = list(
        Mailing.objects.filter(
            paused=False,
            finished_at__isnull=True,
            created_at__lte=quiet_since,
            pk__in=waiting.values("mailing_id"),
        ).exclude(pk__in=busy.values("mailing_id"))
    )
    for mailing in stalled:
        _queue(mailing)
    return len(stalled)


def resend(mailing: Mailing, *, statuses=(D.FAILED, D.UNCERTAIN)) -> int:
    """Put failed (and, by a person's decision, uncertain) deliveries back in the queue."""
    with transaction.atomic():
        count = Delivery.objects.filter(
            mailing=mailing,
            status__in=statuses,
            subscriber__status=Subscriber.Status.ACTIVE,
        ).update(status=D.PENDING, claim="", not_before=None, attempts=0, last_error="")
        if count:
            Mailing.objects.filter(pk=mailing.pk).update(finished_at=None)
            _queue(mailing)
    return count


#: What an editor may do to a running mailing from the issue page. Uncertain deliveries may have
#: reached the reader, so resending them is a separate, deliberate step.
ACTIONS = ("pause", "resume", "resend_failed", "resend_uncertain")


class UnknownAction(ValueError):
    """Not one of ACTIONS."""


def perform(mailing: Mailing, action: str) -> int:
    """Pause, resume, or resend the failed or the uncertain deliveries; returns how many
    deliveries were queued again (0 for pause and resume)."""
    if action == "pause":
        pause(mailing)
    elif action == "resume":
        resume(mailing)
    elif action == "resend_failed":
        return resend(mailing, statuses=[D.FAILED])
    elif action == "resend_uncertain":
        return resend(mailing, statuses=[D.UNCERTAIN])
    else:
        raise UnknownAction(action)
    return 0


def issue_summary(issue) -> dict:
    """The issue's mailings with their delivery counts, and the corrections still owed a
    notice (only once a digest went out: readers who got nothing need no correction)."""
    issue_mailings = list(issue.mailings.all().order_by("created_at"))
    rows = []
    for mailing in issue_mailings:
        counts = mailing.deliveries.counts_by_status()
        rows.append(
            {
                "mailing": mailing,
                "counts": [(label, counts.get(value, 0)) for value, label in D.choices],
                "total": sum(counts.values()),
                "retryable": counts.get(D.FAILED, 0),
                "uncertain": counts.get(D.UNCERTAIN, 0),
            }
        )
    noticed = {m.correction_id for m in issue_mailings if m.correction_id}
    has_digest = any(m.kind == Mailing.Kind.DIGEST for m in issue_mailings)
    pending = [c for c in issue.corrections.all() if c.pk not in noticed] if has_digest else []
    return {"rows": rows, "pending_notices": pending}


def send_test(issue, *, to: str) -> str:
    """Send the issue's digest, as rendered now, to one address (the editor's); no Delivery."""
    from django.core.mail import get_connection

    rendered = render_email(issue)
    template = MessageTemplate(
        subject=f"[测试] {rendered.subject}", html=rendered.html, text=rendered.text, kind="test"
    )
    message_id = template.message_id("test", issue.pk, int(timezone.now().timestamp()))
    # A token no subscriber has: the test copy's unsubscribe link leads to "invalid link".
    message = template.email(to=to, token=TEST_TOKEN, message_id=message_id)
    get_connection(fail_silently=False).send_messages([message])
    return message_id


def digest_message_file(issue) -> bytes:
    """The issue's digest as a complete message (.eml) a mail client opens, rendered now.

    It carries the test copy's token, so its unsubscribe link unsubscribes nobody, and is
    addressed to undisclosed recipients.
    """
    rendered = render_email(issue)
    template = MessageTemplate(
        subject=rendered.subject, html=rendered.html, text=rendered.text, kind="export"
    )
    message_id = template.message_id("export", issue.pk, int(timezone.now().timestamp()))
    return template.build(to=None, token=TEST_TOKEN, message_id=message_id)
