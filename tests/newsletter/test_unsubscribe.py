import pytest
from django.test import Client
from django.urls import reverse

from newsletter.models import Subscriber

from ..factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_get_shows_a_button_and_never_unsubscribes(client):
    reader = SubscriberFactory()

    response = client.get(reverse("newsletter:unsubscribe", args=[reader.token]))

    assert response.status_code == 200
    assert '<form method="post"' in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_one_click_post_unsubscribes_without_login_or_csrf_token(encoding):
    reader = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)  # mail clients send no cookie and no CSRF token
    url = reverse("newsletter:unsubscribe", args=[reader.token])

    if encoding == "urlencoded":
        response = client.post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post(url, {"List-Unsubscribe": "One-Click"})  # multipart/form-data

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED and reader.unsubscribed_at


def test_forged_unsubscribe_token_is_refused_and_changes_nothing(client):
    reader = SubscriberFactory()
    forged = reader.token[:-1] + ("a" if reader.token[-1] != "a" else "b")

    for token in (forged, "x", "<script>alert(1)</script>"):
        response = client.post(f"/unsubscribe/{token}/")
        assert response.status_code in (400, 404)
        assert b"<script>alert(1)</script>" not in response.content
    assert client.get(f"/unsubscribe/{forged}/").status_code == 400
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE


def test_unsubscribing_twice_is_harmless(client):
    reader = SubscriberFactory()
    url = reverse("newsletter:unsubscribe", args=[reader.token])
    client.post(url)
    first = Subscriber.objects.get(pk=reader.pk).unsubscribed_at

    assert client.post(url).status_code == 200
    assert Subscriber.objects.get(pk=reader.pk).unsubscribed_at == first
