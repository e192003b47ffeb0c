import json

import pytest

from newsletter.models import Subscriber

from ..factories import SubscriberFactory

pytestmark = pytest.mark.django_db

URL = "/newsletter/feedback/"
SECRET = "s3cret-shared-with-the-mail-provider"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.NEWSLETTER_WEBHOOK_SECRET = SECRET


def post(client, payload, secret=SECRET, **extra):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(
        URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}", **extra
    )


def test_bounce_report_marks_the_subscriber_bounced(client):
    reader = SubscriberFactory(email="gone@example.com")

    response = post(client, {"type": "bounce", "email": "GONE@example.com"})

    assert response.status_code == 200 and response.json() == {"updated": True}
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED and reader.bounced_at


def test_complaint_by_message_id_marks_the_subscriber_complained(client):
    from newsletter import mailings, sending
    from newsletter.models import Delivery

    from ..factories import IssueFactory

    reader = SubscriberFactory()
    mailing = mailings.digest_for(IssueFactory(published=True))
    sending.create_deliveries(mailing)
    Delivery.objects.update(message_id="<1.2.abc@aidaily.local>", status="sent")

    response = post(client, {"type": "complaint", "message_id": "<1.2.abc@aidaily.local>"})

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.COMPLAINED and reader.complained_at


def test_forged_or_missing_secret_is_refused(client):
    reader = SubscriberFactory()
    payload = {"type": "complaint", "email": reader.email}

    assert post(client, payload, secret="guess").status_code == 401
    assert client.post(URL, json.dumps(payload), content_type="application/json").status_code == 401
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE


def test_webhook_is_off_without_a_configured_secret(client, settings):
    settings.NEWSLETTER_WEBHOOK_SECRET = ""
    assert post(client, {"type": "bounce", "email": "a@example.com"}, secret="").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"type": "delete_everything", "email": "a@example.com"}),
        b"{}",
    ],
)
def test_malformed_reports_are_refused(client, body):
    assert post(client, body).status_code == 400


def test_oversized_report_is_refused(client):
    huge = json.dumps({"type": "bounce", "email": "a@example.com", "pad": "x" * 100_000})
    assert post(client, huge).status_code == 413


def test_unknown_address_changes_nothing(client):
    response = post(client, {"type": "bounce", "email": "nobody@example.com"})
    assert response.status_code == 200 and response.json() == {"updated": False}
    assert Subscriber.objects.count() == 0


@pytest.mark.parametrize(
    "header",
    [
        SECRET,  # the raw secret, without the scheme
        f"bearer {SECRET}",
        f"Bearer  {SECRET}",
        f"Bearer {SECRET} ",
        f"Basic {SECRET}",
        f"Bearer {SECRET}x",
        f"Token Bearer {SECRET}",
    ],
)
def test_only_an_exact_bearer_header_is_accepted(client, header):
    reader = SubscriberFactory(email="kept@example.com")

    response = client.post(
        URL,
        json.dumps({"type": "bounce", "email": reader.email}),
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )

    assert response.status_code == 401
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE


def test_non_ascii_authorization_is_refused_not_a_crash(client):
    response = client.post(
        URL, b"{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer s\u00e9cret"
    )
    assert response.status_code == 401


@pytest.mark.parametrize("depth", [5, 1000, 20_000])
def test_deeply_nested_report_is_refused(client, depth):
    nested = "[" * depth + "]" * depth
    body = '{"type": "bounce", "email": "a@example.com", "extra": ' + nested + "}"

    response = post(client, body)

    assert response.status_code == 400
    assert "nested" in response.content.decode()


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "bounce", "email": {"a": "b"}},
        {"type": "bounce", "email": ["a@example.com"]},
        {"type": ["bounce"], "email": "a@example.com"},
        {"type": "bounce", "message_id": 12},
    ],
)
def test_report_fields_that_are_not_strings_are_refused(client, payload):
    SubscriberFactory(email="a@example.com")
    assert post(client, payload).status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE


def test_body_over_the_upload_limit_is_refused_not_a_crash(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    huge = json.dumps({"type": "bounce", "email": "a@example.com", "pad": "x" * 4000})
    response = post(client, huge)
    assert response.status_code in (400, 413)


def test_null_message_id_beside_an_email_is_still_a_report(client):
    reader = SubscriberFactory(email="gone@example.com")

    response = post(client, {"type": "bounce", "email": "gone@example.com", "message_id": None})

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    reader = SubscriberFactory(email="gone@example.com")
    note = '[[[[{{{{ \\" ]]]]'

    response = post(client, {"type": "bounce", "email": "gone@example.com", "note": note})

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED
