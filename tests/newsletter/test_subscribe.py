import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from newsletter import services
from newsletter.models import Subscriber

from ..factories import SubscriberFactory

# Confirmation emails are queued after commit, as in a real request.
pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBE = "/subscribe/"


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://daily.example.org"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    from django.core.cache import cache

    cache.clear()


def confirm_path(message) -> str:
    url = re.search(r"https://daily\.example\.org(/subscribe/confirm/\S+/)", message.body)
    return url.group(1)


def test_subscribe_emails_a_link_whose_get_shows_a_button_and_post_confirms(client):
    response = client.post(SUBSCRIBE, {"email": "New.Reader@Example.COM"})

    assert response.status_code == 200
    assert "请查收确认邮件" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "New.Reader@example.com"
    assert subscriber.status == Subscriber.Status.PENDING
    (message,) = mail.outbox
    assert message.to == ["New.Reader@example.com"]
    path = confirm_path(message)

    page = client.get(path)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200 and "确认订阅" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING

    done = client.post(path)
    assert done.status_code == 200 and "订阅成功" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE and subscriber.confirmed_at


def test_known_and_unknown_addresses_get_the_same_answer(client):
    SubscriberFactory(email="known@example.com")
    SubscriberFactory(email="left@example.com", unsubscribed=True)

    answers = [
        client.post(SUBSCRIBE, {"email": address})
        for address in ("known@example.com", "KNOWN@example.com", "nobody@example.com")
    ]

    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    # Only the unknown address got a confirmation; the subscribed reader got no second mail.
    assert [m.to for m in mail.outbox] == [["nobody@example.com"]]
    assert Subscriber.objects.with_email("known@example.com").count() == 1


def test_unsubscribed_reader_must_confirm_again_to_return(client):
    reader = SubscriberFactory(email="back@example.com", unsubscribed=True)

    client.post(SUBSCRIBE, {"email": "back@example.com"})

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.PENDING
    assert len(mail.outbox) == 1


def test_honeypot_filled_by_a_bot_creates_nothing_but_answers_the_same(client):
    human = client.post(SUBSCRIBE, {"email": "human@example.com"})
    bot = client.post(SUBSCRIBE, {"email": "bot@example.com", "website": "http://spam.example"})

    assert bot.status_code == 200 and bot.content == human.content
    assert not Subscriber.objects.with_email("bot@example.com").exists()


def test_too_many_subscriptions_from_one_address_are_refused(client, settings):
    settings.NEWSLETTER_SUBSCRIBE_LIMIT = 3
    for n in range(3):
        assert client.post(SUBSCRIBE, {"email": f"r{n}@example.com"}).status_code == 200

    refused = client.post(SUBSCRIBE, {"email": "r9@example.com"})
    other_client = client.post(SUBSCRIBE, {"email": "r8@example.com"}, REMOTE_ADDR="10.0.0.9")

    assert refused.status_code == 429 and "请稍后再试" in refused.content.decode()
    assert not Subscriber.objects.with_email("r9@example.com").exists()
    assert other_client.status_code == 200


def test_invalid_or_hostile_email_is_refused_and_escaped(client):
    payload = '"><script>alert(1)</script>@example.com'
    response = client.post(SUBSCRIBE, {"email": payload})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Subscriber.objects.count() == 0 and mail.outbox == []


def test_oversized_email_is_refused(client):
    response = client.post(SUBSCRIBE, {"email": "a" * 5000 + "@example.com"})
    assert response.status_code == 200
    assert Subscriber.objects.count() == 0


def test_forged_confirmation_token_is_refused(client):
    reader = SubscriberFactory(pending=True)
    token = services.confirmation_token(reader)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    for bad in (forged, "not-a-token", "eyJpZCI6MX0:abc:def"):
        response = client.post(reverse("newsletter:confirm", args=[bad]))
        assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.PENDING


def test_expired_confirmation_token_is_refused(client, time_machine, settings):
    time_machine.move_to(timezone.now())
    reader = SubscriberFactory(pending=True)
    path = reverse("newsletter:confirm", args=[services.confirmation_token(reader)])
    time_machine.move_to(
        timezone.now() + timedelta(seconds=settings.NEWSLETTER_CONFIRM_MAX_AGE + 60)
    )

    response = client.post(path)

    assert response.status_code == 400 and "已经过期" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.PENDING


def test_confirmation_link_of_another_reader_cannot_be_made_from_an_id(client):
    from django.core import signing

    victim = SubscriberFactory(pending=True)
    guess = signing.dumps({"id": victim.pk, "t": "guessedtoken"}, salt=services.CONFIRM_SALT)

    assert client.post(reverse("newsletter:confirm", args=[guess])).status_code == 400


def test_email_is_unique_whatever_its_case(db):
    from django.db import IntegrityError

    SubscriberFactory(email="Case@Example.com")
    with pytest.raises(IntegrityError):
        SubscriberFactory(email="case@example.com")
