"""Feishu and DingTalk cards: signed as each platform documents, escaped, paced, retried."""

import base64
import hashlib
import hmac
import time
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone

from channels import services
from channels.models import ChannelDelivery
from events.models import Correction

from .servers import Server

S = ChannelDelivery.Status
FEISHU_SECRET = "feishu-bot-secret"
DINGTALK_SECRET = "SECdingtalk-bot-secret"


@pytest.fixture
def feishu(settings):
    answers = []
    with Server(lambda r: answers.pop(0) if answers else (200, {"code": 0, "msg": "success"})) as s:
        settings.FEISHU_WEBHOOK_URL = s.url + "/open-apis/bot/v2/hook/abc"
        settings.FEISHU_SECRET = FEISHU_SECRET
        s.answers = answers
        yield s


@pytest.fixture
def dingtalk(settings):
    answers = []
    with Server(
        lambda r: answers.pop(0) if answers else (200, {"errcode": 0, "errmsg": "ok"})
    ) as s:
        settings.DINGTALK_WEBHOOK_URL = s.url + "/robot/send?access_token=abc"
        settings.DINGTALK_SECRET = DINGTALK_SECRET
        s.answers = answers
        yield s


def send_all(issue, kind="publish", **kwargs):
    return [services.deliver(row.pk) for row in services.create_deliveries(issue, kind, **kwargs)]


def test_feishu_card_is_signed_as_feishu_documents(published, feishu):
    before = int(time.time())
    assert send_all(published) == [S.SENT]
    (request,) = feishu.requests
    body = request.json()
    timestamp = body["timestamp"]
    assert before - 1 <= int(timestamp) <= int(time.time()) + 1  # seconds, as Feishu checks
    # Feishu's documented algorithm: HMAC-SHA256 keyed by "timestamp\nsecret" over nothing.
    key = f"{timestamp}\n{FEISHU_SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["sign"] == expected
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["title"]["content"].endswith(published.display_title)
    button = card["elements"][-1]["actions"][0]
    assert button["url"].endswith(published.get_absolute_url())


def test_dingtalk_card_is_signed_as_dingtalk_documents(published, dingtalk):
    assert send_all(published) == [S.SENT]
    (request,) = dingtalk.requests
    assert request.query["access_token"] == "abc"
    timestamp = request.query["timestamp"]
    assert abs(int(timestamp) - time.time() * 1000) < 60_000  # milliseconds
    # DingTalk's documented algorithm: HMAC-SHA256 keyed by the secret over "timestamp\nsecret",
    # Base64, then URL-encoded into the query string.
    digest = hmac.new(
        DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
    ).digest()
    assert request.query["sign"] == base64.b64encode(digest).decode()
    body = request.json()
    assert body["msgtype"] == "actionCard"
    assert body["actionCard"]["singleURL"].endswith(published.get_absolute_url())


def test_dingtalk_sign_is_url_encoded_in_the_request(dingtalk):
    from channels import chatbots

    url = chatbots.dingtalk.url(timestamp="1700000000000")
    sign = url.split("sign=", 1)[1]
    assert "+" not in sign and "/" not in sign and "=" not in sign  # encoded: %2B, %2F, %3D
    digest = hmac.new(
        DINGTALK_SECRET.encode(), f"1700000000000\n{DINGTALK_SECRET}".encode(), hashlib.sha256
    ).digest()
    assert unquote(sign) == base64.b64encode(digest).decode()


def test_a_correction_reaches_both_groups_once(published, feishu, dingtalk):
    correction = Correction.objects.create(issue=published, text="第 2 条的金额应为 **120 亿**。")
    assert sorted(send_all(published, "correct", correction=correction)) == [S.SENT, S.SENT]
    assert send_all(published, "correct", correction=correction) == [None, None]  # made once
    feishu_card = feishu.requests[0].json()["card"]
    assert feishu_card["header"]["title"]["content"].startswith("更正")
    assert "第 2 条的金额应为 120 亿。" in str(feishu_card["elements"])
    assert "120 亿" in dingtalk.requests[0].json()["actionCard"]["text"]


def test_issue_text_is_shown_as_typed_never_as_markup(published, feishu, dingtalk):
    attack = "<script>alert(1)</script> [click](javascript:alert(2)) **bold**"
    type(published).objects.filter(pk=published.pk).update(title=attack)
    conclusion = published.conclusions.first()
    type(conclusion).objects.filter(pk=conclusion.pk).update(text=attack)
    send_all(published)
    feishu_body = feishu.requests[0].body.decode()
    dingtalk_body = dingtalk.requests[0].body.decode()
    for body in (feishu_body, dingtalk_body):
        assert "<script>" not in body and "\\u003cscript\\u003e" in body
    assert '"tag":"lark_md"' not in feishu_body  # plain_text: Feishu reads no Markdown in it
    text = dingtalk.requests[0].json()["actionCard"]["text"]
    assert "&lt;script&gt;" in text and "\\[click\\]" in text and "\\*\\*bold" in text


def test_dingtalk_over_twenty_a_minute_waits_for_the_minute(published, dingtalk, settings):
    now = timezone.now()
    for n in range(settings.DINGTALK_MESSAGES_PER_MINUTE):
        ChannelDelivery.objects.create(
            issue=published,
            channel="dingtalk",
            kind="correct",
            correction=Correction.objects.create(issue=published, text=f"更正 {n}"),
            status=S.SENT,
            sent_at=now - timedelta(seconds=30),
        )
    (row,) = services.create_deliveries(published, "publish")
    assert services.deliver(row.pk) == S.QUEUED
    row.refresh_from_db()
    assert dingtalk.requests == []
    assert "20" in row.last_error
    assert timedelta(seconds=20) < row.not_before - now <= timedelta(seconds=31)


def test_dingtalk_rate_refusal_is_retried_after_a_minute(published, dingtalk):
    dingtalk.answers.append((200, {"errcode": 130101, "errmsg": "send too fast"}))
    (row,) = services.create_deliveries(published, "publish")
    assert services.deliver(row.pk) == S.QUEUED
    row.refresh_from_db()
    assert row.last_error == "DingTalk 130101: send too fast"
    assert services.deliver(row.pk, now=row.not_before + timedelta(seconds=1)) == S.SENT
    assert len(dingtalk.requests) == 2


def test_feishu_bad_signature_fails_with_its_reason(published, feishu):
    feishu.answers.append(
        (
            200,
            {
                "code": 19021,
                "msg": "sign match fail or timestamp is not within one hour from current time",
            },
        )
    )
    assert send_all(published) == [S.FAILED]
    assert ChannelDelivery.objects.get().last_error.startswith("Feishu 19021: sign match fail")


def test_server_errors_back_off_exponentially_then_fail(published, feishu, settings):
    settings.CHANNELS_MAX_ATTEMPTS = 3
    feishu.answers.extend([(502, {}), (503, {}), (500, {})])
    (row,) = services.create_deliveries(published, "publish")
    waits, now = [], timezone.now()
    for _attempt in range(2):
        assert services.deliver(row.pk, now=now) == S.QUEUED
        row.refresh_from_db()
        waits.append((row.not_before - now).total_seconds())
        now = row.not_before
    assert waits == [settings.CHANNELS_RETRY_SECONDS, 2 * settings.CHANNELS_RETRY_SECONDS]
    assert services.deliver(row.pk, now=now) == S.FAILED
    assert len(feishu.requests) == 3
