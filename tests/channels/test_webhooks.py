"""Outgoing webhooks: signed bodies, retries with backoff, private addresses refused."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from channels import services, webhooks
from channels.admin import WebhookEndpointForm
from channels.models import ChannelDelivery, WebhookEndpoint
from events.models import Correction

S = ChannelDelivery.Status


def deliver_all(issue, kind="publish", **kwargs):
    rows = services.create_deliveries(issue, kind, **kwargs)
    return [services.deliver(row.pk) for row in rows]


def test_publication_posts_a_signed_json_body(published, endpoint, endpoint_server):
    assert deliver_all(published) == [S.SENT]
    (request,) = endpoint_server.requests
    assert request.path == "/hooks/aidaily"
    body = request.json()
    assert body["event"] == "issue.published"
    assert body["issue"]["url"].endswith(published.get_absolute_url())
    assert body["issue"]["date"] == published.date.isoformat()
    assert body["issue"]["title"] == published.display_title
    assert body["issue"]["summary"]
    header = dict(part.split("=", 1) for part in request.headers["X-Aidaily-Signature"].split(","))
    expected = hmac.new(
        b"whsec-test", header["t"].encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(header["v1"], expected)
    assert request.headers["X-Aidaily-Delivery"] == ChannelDelivery.objects.get().key


def test_correction_and_withdrawal_are_their_own_events(published, endpoint, endpoint_server):
    correction = Correction.objects.create(issue=published, text="金额更正为 120 亿。")
    deliver_all(published, "correct", correction=correction)
    type(published).objects.filter(pk=published.pk).update(withdrawal_reason="来源撤稿。")
    published.refresh_from_db()
    deliver_all(published, "withdraw")
    first, second = (r.json() for r in endpoint_server.requests)
    assert first["event"] == "issue.corrected" and first["correction"] == "金额更正为 120 亿。"
    assert second["event"] == "issue.withdrawn" and second["reason"] == "来源撤稿。"


def test_failures_are_retried_with_exponential_backoff_under_one_delivery_id(
    published, endpoint, endpoint_server, settings
):
    endpoint_server.answers.extend([(500, {}), (429, {}), None])  # None: no answer at all
    (row,) = services.create_deliveries(published, "publish")
    now, waits = timezone.now(), []
    for _failure in range(3):
        assert services.deliver(row.pk, now=now) == S.QUEUED
        row.refresh_from_db()
        waits.append((row.not_before - now).total_seconds())
        now = row.not_before
    assert services.deliver(row.pk, now=now) == S.SENT
    base = settings.CHANNELS_RETRY_SECONDS
    assert waits == [base, 2 * base, 4 * base]
    ids = {r.headers["X-Aidaily-Delivery"] for r in endpoint_server.requests}
    assert len(endpoint_server.requests) == 4 and len(ids) == 1


def test_a_client_error_fails_at_once(published, endpoint, endpoint_server):
    endpoint_server.answers.append((410, {}))
    assert deliver_all(published) == [S.FAILED]
    assert ChannelDelivery.objects.get().last_error == "HTTP 410"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://0x7f.1/hook",
        "http://[::ffff:192.168.0.1]/hook",
        "ftp://hooks.example.com/x",
    ],
)
def test_private_or_odd_addresses_are_refused_in_the_admin(db, settings, url):
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = False
    form = WebhookEndpointForm({"name": "x", "url": url, "secret": "s", "active": True})
    assert not form.is_valid()
    assert "url" in form.errors


def test_an_endpoint_that_now_points_inside_is_refused_when_sending(
    published, endpoint, endpoint_server, settings
):
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = False
    assert deliver_all(published) == [S.FAILED]
    assert "refused" in ChannelDelivery.objects.get().last_error
    assert endpoint_server.requests == []


def test_gate_names_an_endpoint_with_a_private_address(db, endpoint, settings):
    from events import gate

    from ..factories import publishable_issue

    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = False
    found = [p for p in gate.problems(publishable_issue()) if p.code == "channel"]
    assert len(found) == 1 and "CRM" in found[0].message


def test_issue_text_in_the_body_cannot_become_markup(published, endpoint, endpoint_server):
    type(published).objects.filter(pk=published.pk).update(title="<script>alert(1)</script>&")
    deliver_all(published)
    raw = endpoint_server.requests[0].body.decode()
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert json.loads(raw)["issue"]["title"] == "<script>alert(1)</script>&"


def test_inactive_endpoints_get_nothing(published, endpoint, endpoint_server):
    WebhookEndpoint.objects.update(active=False)
    assert deliver_all(published) == []
    assert endpoint_server.requests == []


def test_signature_helper_matches_the_documented_scheme():
    body = b'{"a":1}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.signature("k", "1700000000", body) == f"t=1700000000,v1={expected}"


def test_backoff_is_capped(settings):
    assert services.backoff(1) == settings.CHANNELS_RETRY_SECONDS
    assert services.backoff(30) == services.MAX_BACKOFF
    assert timedelta(seconds=services.backoff(3)) == timedelta(
        seconds=4 * settings.CHANNELS_RETRY_SECONDS
    )
