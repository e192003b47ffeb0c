"""Sending rules that are not about crashes: the embedded default, an unreachable server, pacing."""

from pathlib import Path

import pytest

from events import workflow
from newsletter import mailings, sending
from newsletter.models import Delivery

from ..factories import IssueFactory, SubscriberFactory, publishable_issue
from ..smtp import free_port

pytestmark = pytest.mark.django_db


def test_embedded_default_writes_each_digest_as_a_file_under_var_mail(
    settings, analyst, editor, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    readers = SubscriberFactory.create_batch(2)
    issue = publishable_issue()
    workflow.perform(issue, "submit", by=analyst)
    workflow.perform(issue, "approve", by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(issue, "publish", by=editor)

    written = "".join(p.read_text() for p in Path(settings.EMAIL_FILE_PATH).iterdir())
    for reader in readers:
        assert f"To: {reader.email}" in written
    assert written.count("List-Unsubscribe-Post: List-Unsubscribe=One-Click") == 2
    assert Delivery.objects.counts_by_status() == {"sent": 2}


def test_unreachable_mail_server_leaves_every_delivery_pending_for_the_retry(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    SubscriberFactory.create_batch(3)
    mailing = mailings.digest_for(IssueFactory(published=True))
    sending.create_deliveries(mailing)

    with pytest.raises(sending.TransientSendError):
        sending.send_batch(mailing_id=mailing.pk)

    assert Delivery.objects.counts_by_status() == {"pending": 3}
    assert not Delivery.objects.exclude(claim="").exists()


def test_readers_who_unsubscribe_after_publication_are_skipped(smtp_server):
    stays, leaves = SubscriberFactory.create_batch(2)
    mailing = mailings.digest_for(IssueFactory(published=True))
    sending.create_deliveries(mailing)
    leaves.move_to("unsubscribed")

    sending.send_batch(mailing_id=mailing.pk)

    assert smtp_server.recipients == [stays.email]
    assert Delivery.objects.get(subscriber=leaves).status == Delivery.Status.SKIPPED


def test_rate_limit_spaces_messages_by_the_configured_rate(settings, monkeypatch):
    settings.NEWSLETTER_RATE_LIMIT = 10  # messages per second, shared by the lanes
    settings.NEWSLETTER_LANES = 2
    clock = {"now": 100.0}
    slept = []
    monkeypatch.setattr(sending.time, "monotonic", lambda: clock["now"])

    def sleep(seconds):
        slept.append(seconds)
        clock["now"] += seconds

    monkeypatch.setattr(sending.time, "sleep", sleep)
    pacer = sending._Pacer()
    for _ in range(6):
        pacer.wait()

    # Two lanes at 10 msg/s in all: each lane sends one message every 0.2 s.
    assert sum(slept) == pytest.approx(1.0)
    assert clock["now"] == pytest.approx(101.0)


def test_chief_editor_role_may_send_and_analyst_may_not(editor, analyst):
    assert editor.has_perm("newsletter.send_mailing")
    assert editor.has_perm("newsletter.view_subscriber")
    assert not analyst.has_perm("newsletter.send_mailing")
