"""Headers a reader's mail client acts on: unsubscribe, date, identity and one base URL."""

import re
from email.utils import parsedate_to_datetime

import pytest

from newsletter import mailings, services
from newsletter.models import Delivery

from ..factories import SubscriberFactory
from ..seed import seed_text
from .conftest import FROM_EMAIL, import_text, published

pytestmark = pytest.mark.django_db


def links(message) -> list[str]:
    return re.findall(r"<([^>]+)>", message["List-Unsubscribe"])


def send_digest(smtp_server, django_capture_on_commit_callbacks, issue):
    with django_capture_on_commit_callbacks(execute=True):
        mailings.start_digest(issue)
    return smtp_server.parsed()[-1]


@pytest.fixture
def sample(settings):
    settings.DEFAULT_FROM_EMAIL = FROM_EMAIL
    return published(import_text(seed_text()).issue)


def test_without_a_processed_mailbox_list_unsubscribe_offers_only_the_link(
    smtp_server, settings, sample, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = ""
    reader = SubscriberFactory()

    message = send_digest(smtp_server, django_capture_on_commit_callbacks, sample)

    assert links(message) == [f"https://daily.example.org/unsubscribe/{reader.token}/"]
    assert "mailto:" not in message["List-Unsubscribe"]


def test_a_configured_unsubscribe_mailbox_is_offered_after_the_link_with_the_token(
    smtp_server, settings, sample, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "leave@lists.example.org"
    reader = SubscriberFactory()

    message = send_digest(smtp_server, django_capture_on_commit_callbacks, sample)

    https, mailto = links(message)
    assert https == f"https://daily.example.org/unsubscribe/{reader.token}/"
    assert mailto == f"mailto:leave@lists.example.org?subject=unsubscribe%20{reader.token}"


def test_headers_and_body_name_the_host_the_digest_was_rendered_with(
    smtp_server, settings, sample, django_capture_on_commit_callbacks
):
    reader = SubscriberFactory()
    settings.SITE_URL = "https://old.example.org"
    mailings.digest_for(sample)  # rendered at publish time
    settings.SITE_URL = "https://new.example.org"  # changed before the batch is sent

    message = send_digest(smtp_server, django_capture_on_commit_callbacks, sample)

    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert links(message) == [f"https://old.example.org/unsubscribe/{reader.token}/"]
    hosts = set(re.findall(r"https://([a-z.]+)\.example\.org/", html + text + str(message)))
    assert hosts <= {"old"} and "new.example.org" not in str(message)


def test_digest_is_dated_in_numeric_utc_and_identified_by_the_sending_domain(
    smtp_server, sample, django_capture_on_commit_callbacks
):
    SubscriberFactory()

    message = send_digest(smtp_server, django_capture_on_commit_callbacks, sample)

    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000", message["Date"])
    assert message["Message-ID"].endswith("@daily.example.org>")
    mailing_id = Delivery.objects.get().mailing_id
    assert message["Feedback-ID"] == f"mailing{mailing_id}:digest:aidaily:daily.example.org"


def test_confirmation_is_dated_in_numeric_utc_and_identified_by_the_sending_domain(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = FROM_EMAIL
    with django_capture_on_commit_callbacks(execute=True):
        services.subscribe(email="newcomer@mail.example")

    (message,) = smtp_server.parsed()
    assert message["To"] == "newcomer@mail.example"
    assert message["Date"].endswith(" +0000")
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert re.fullmatch(r"<[^<>@\s]+@daily\.example\.org>", message["Message-ID"])
    assert "@localhost" not in str(message)
    assert message["Feedback-ID"].endswith(":confirmation:aidaily:daily.example.org")
    assert "/subscribe/confirm/" in message.get_content()


@pytest.mark.parametrize(
    ("typed", "sent_to"),
    [
        ("leser@bücher.example", "leser@xn--bcher-kva.example"),  # the domain in its ASCII form
        ("First.Last+ai@Example.COM", "First.Last+ai@Example.COM"),  # a plain one as typed
    ],
)
def test_the_reader_is_addressed_in_the_header_and_the_envelope_alike(
    typed, sent_to, smtp_server, sample, django_capture_on_commit_callbacks
):
    SubscriberFactory(email=typed)

    message = send_digest(smtp_server, django_capture_on_commit_callbacks, sample)

    assert message["To"] == sent_to
    assert smtp_server.recipients == [sent_to]


def test_the_parts_are_base64_in_lines_a_mail_server_accepts(
    smtp_server, sample, django_capture_on_commit_callbacks
):
    SubscriberFactory()

    send_digest(smtp_server, django_capture_on_commit_callbacks, sample)

    raw = smtp_server.messages[-1][2]
    _head, _blank, body = raw.partition(b"\r\n\r\n")
    assert all(len(line) <= 76 for line in body.split(b"\r\n"))
    message = smtp_server.parsed()[-1]
    assert message.get_body(("html",)).get_content().rstrip().endswith("</html>")
    assert Delivery.objects.get().subscriber.token in message.get_body(("plain",)).get_content()
