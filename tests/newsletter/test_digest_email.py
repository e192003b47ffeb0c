import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from events import workflow
from newsletter.models import Delivery, Subscriber

from ..factories import SubscriberFactory, publishable_issue

pytestmark = pytest.mark.django_db


def publish(analyst, editor, **fields):
    issue = publishable_issue(**fields)
    workflow.perform(issue, "submit", by=analyst)
    workflow.perform(issue, "approve", by=editor)
    workflow.perform(issue, "publish", by=editor)
    return issue


def test_published_issue_reaches_each_active_subscriber_once_as_multipart_alternative(
    smtp_server, analyst, editor, django_capture_on_commit_callbacks
):
    readers = SubscriberFactory.create_batch(3)
    SubscriberFactory(pending=True)
    SubscriberFactory(unsubscribed=True)
    with django_capture_on_commit_callbacks(execute=True):
        issue = publish(analyst, editor)

    assert sorted(smtp_server.recipients) == sorted(r.email for r in readers)
    for message in smtp_server.parsed():
        assert message.get_content_type() == "multipart/alternative"
        parts = [part.get_content_type() for part in message.iter_parts()]
        assert parts == ["text/plain", "text/html"]
        assert message["Subject"] == f"AI前沿发展日报 | {issue.date:%Y-%m-%d}"
        assert "今日三条结论" in message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "今日三条结论" in html and "<style" not in html  # CSS inlined
        assert f"https://daily.example.org/issues/{issue.date:%Y-%m-%d}/" in html
    deliveries = Delivery.objects.filter(mailing__issue=issue)
    assert deliveries.counts_by_status() == {"sent": 3}
    assert len({d.message_id for d in deliveries}) == 3


def test_headers_are_present_and_well_formed(
    smtp_server, analyst, editor, django_capture_on_commit_callbacks
):
    reader = SubscriberFactory(email="Reader@Mail.Example")
    with django_capture_on_commit_callbacks(execute=True):
        publish(analyst, editor)

    (message,) = smtp_server.parsed()
    unsubscribe = message["List-Unsubscribe"]
    urls = re.findall(r"<([^>]+)>", unsubscribe)
    assert urls == [f"https://daily.example.org/unsubscribe/{reader.token}/"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"].endswith("<digest.aidaily.local>")
    assert re.fullmatch(r"<[^<>@\s]+@aidaily\.local>", message["Message-ID"])
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Date"].endswith(" +0000")
    assert message["Feedback-ID"].endswith(":digest:aidaily:aidaily.local")
    assert message["From"].addresses[0].addr_spec == "digest@aidaily.local"
    assert message["From"].addresses[0].display_name == "AI前沿发展日报"
    assert message["To"] == reader.email
    delivery = Delivery.objects.get(subscriber=reader)
    assert delivery.message_id == message["Message-ID"]
    # Personalised only by the token: the HTML links to this reader's unsubscribe page.
    assert f"/unsubscribe/{reader.token}/" in message.get_body(("html",)).get_content()


def test_one_click_post_to_the_received_list_unsubscribe_url_unsubscribes(
    smtp_server, analyst, editor, client, django_capture_on_commit_callbacks
):
    reader = SubscriberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        publish(analyst, editor)
    (message,) = smtp_server.parsed()
    url = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])[0]
    path = url.removeprefix("https://daily.example.org")

    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert reader.unsubscribed_at is not None


def test_each_message_carries_the_same_rendering_with_only_the_token_changed(
    smtp_server, analyst, editor, django_capture_on_commit_callbacks
):
    a, b = SubscriberFactory.create_batch(2)
    with django_capture_on_commit_callbacks(execute=True):
        publish(analyst, editor)
    by_rcpt = {m["To"]: m for m in smtp_server.parsed()}
    html_a = by_rcpt[a.email].get_body(("html",)).get_content().replace(a.token, "T")
    html_b = by_rcpt[b.email].get_body(("html",)).get_content().replace(b.token, "T")
    assert html_a == html_b


def test_permanent_recipient_refusal_marks_the_subscriber_bounced(
    smtp_server, analyst, editor, django_capture_on_commit_callbacks
):
    good = SubscriberFactory()
    gone = SubscriberFactory(email="gone@mail.example")
    smtp_server.refuse["gone@mail.example"] = "550 5.1.1 No such user"
    with django_capture_on_commit_callbacks(execute=True):
        issue = publish(analyst, editor)

    assert smtp_server.recipients == [good.email]
    gone.refresh_from_db()
    assert gone.status == Subscriber.Status.BOUNCED and gone.bounced_at
    failed = Delivery.objects.get(mailing__issue=issue, subscriber=gone)
    assert failed.status == Delivery.Status.FAILED
    assert "550" in failed.last_error


def test_transient_refusal_is_deferred_then_sent_by_the_next_run(
    smtp_server, analyst, editor, django_capture_on_commit_callbacks, time_machine
):
    SubscriberFactory()
    busy = SubscriberFactory(email="busy@mail.example")
    smtp_server.refuse["busy@mail.example"] = "451 4.3.0 Try again later"
    with django_capture_on_commit_callbacks(execute=True):
        issue = publish(analyst, editor)
    delivery = Delivery.objects.get(subscriber=busy)
    assert delivery.status == Delivery.Status.PENDING and delivery.not_before

    del smtp_server.refuse["busy@mail.example"]
    time_machine.move_to(timezone.now() + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest", issue.date.isoformat())

    assert sorted(smtp_server.recipients).count("busy@mail.example") == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_send_digest_command_reruns_without_sending_anyone_twice(
    smtp_server, analyst, editor, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(4)
    with django_capture_on_commit_callbacks(execute=True):
        issue = publish(analyst, editor)
    late = SubscriberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest", issue.date.isoformat())
        call_command("send_digest", issue.date.isoformat())

    assert len(smtp_server.recipients) == 5
    assert smtp_server.recipients.count(late.email) == 1


def test_paused_mailing_sends_nothing_until_resumed(
    smtp_server, analyst, editor, django_capture_on_commit_callbacks, settings
):
    from newsletter import mailings
    from newsletter.models import Mailing

    SubscriberFactory.create_batch(3)
    settings.NEWSLETTER_BATCH_SIZE = 1
    settings.NEWSLETTER_LANES = 1
    issue = publishable_issue()
    workflow.perform(issue, "submit", by=analyst)
    workflow.perform(issue, "approve", by=editor)
    with django_capture_on_commit_callbacks(execute=False):  # publish without sending yet
        workflow.perform(issue, "publish", by=editor)
    issue.refresh_from_db()
    mailing = mailings.digest_for(issue)
    mailings.pause(mailing)
    with django_capture_on_commit_callbacks(execute=True):
        mailings.start_digest(issue)
    assert smtp_server.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        mailings.resume(Mailing.objects.get(pk=mailing.pk))
    assert len(smtp_server.messages) == 3
