"""Cards to the team's Feishu and DingTalk groups, signed as each platform documents.

Feishu (custom bot with 签名校验): the body carries `timestamp` (seconds) and
`sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))`; the message is an
`interactive` card. DingTalk (custom robot with 加签): `timestamp` (milliseconds) and
`sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))` go in the
query string; the message is an `actionCard`. DingTalk accepts 20 messages a minute per robot:
a delivery past that waits for the minute to free up instead of being refused.
"""

import base64
import hashlib
import hmac
import time
from datetime import timedelta
from urllib.parse import quote_plus

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import http
from .models import ChannelDelivery
from .outcomes import Failed, Retry
from .summary import Summary, dumps, summarise

#: Both platforms refuse bodies past 20 KB; an issue's card stays far below.
MAX_BODY_BYTES = 20_000
#: The card's heading and button, in the issue's language (the card is part of the issue).
HEADINGS = {
    "zh-hans": {"publish": "新一期：{title}", "correct": "更正：{title}", "read": "阅读全文"},
    "en": {"publish": "New issue: {title}", "correct": "Correction: {title}", "read": "Read it"},
}


def feishu_sign(timestamp: str, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(timestamp: str, secret: str) -> str:
    message = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def _words(summary: Summary) -> dict:
    return HEADINGS.get(summary.language, HEADINGS["zh-hans"])


def _lines(summary: Summary) -> list[str]:
    if summary.notice:
        return [summary.notice]
    return [f"{n}. {text}" for n, text in enumerate(summary.conclusions, start=1)]


def _markdown_text(text: str) -> str:
    """Analyst text inside DingTalk's Markdown: shown as typed, never as markup or a link."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "\\`*_[]()#!|~":
        text = text.replace(char, "\\" + char)
    return text


def _card(summary: Summary, kind: str) -> dict:
    """A Feishu interactive card; all text is plain_text, so nothing typed is read as Markdown."""
    elements = [
        {"tag": "div", "text": {"tag": "plain_text", "content": line}}
        for line in [summary.date, *_lines(summary)]
    ]
    button = {
        "tag": "button",
        "text": {"tag": "plain_text", "content": _words(summary)["read"]},
        "url": summary.url,
        "type": "primary",
    }
    elements.append({"tag": "action", "actions": [button]})
    return {
        "config": {"wide_screen_mode": True},
        "header": {
            "title": {
                "tag": "plain_text",
                "content": _words(summary)[kind].format(title=summary.title),
            },
            "template": "blue" if kind == "publish" else "red",
        },
        "elements": elements,
    }


def _now_seconds() -> str:
    return str(int(time.time()))


def _answer_code(response: http.Response, *keys) -> tuple[object, str]:
    answer = response.json()
    for key in keys:
        if key in answer:
            return answer[key], str(answer.get("msg") or answer.get("errmsg") or "")
    return None, f"HTTP {response.status}"


class Feishu:
    label = "飞书"

    def is_enabled(self) -> bool:
        return bool(settings.FEISHU_WEBHOOK_URL)

    def payload(self, summary: Summary, kind: str, *, timestamp: str) -> dict:
        """The webhook body: the signature fields when a secret is set, then the card."""
        body = {}
        if settings.FEISHU_SECRET:
            body = {"timestamp": timestamp, "sign": feishu_sign(timestamp, settings.FEISHU_SECRET)}
        return body | {"msg_type": "interactive", "card": _card(summary, kind)}

    def send(self, delivery) -> dict:
        """Post the card; Feishu answers {"code": 0} (or the older {"StatusCode": 0})."""
        body = dumps(self.payload(summarise(delivery), delivery.kind, timestamp=_now_seconds()))
        response = http.post_json(settings.FEISHU_WEBHOOK_URL, body)
        code, message = _answer_code(response, "code", "StatusCode")
        if code == 0:
            return {}
        message = f"Feishu {code}: {message}"
        # 11232: sending too fast; no code at all: a proxy or an outage answered, not Feishu.
        if code == 11232 or (code is None and response.status >= 500):
            raise Retry(message)
        raise Failed(message)

    def preflight(self, issue) -> list[tuple[str, str]]:
        return _size_problems(self, issue)


class DingTalk:
    label = "钉钉"

    def is_enabled(self) -> bool:
        return bool(settings.DINGTALK_WEBHOOK_URL)

    def url(self, *, timestamp: str) -> str:
        """The robot's URL with `timestamp` and `sign` added when a secret is set."""
        url = settings.DINGTALK_WEBHOOK_URL
        if not settings.DINGTALK_SECRET:
            return url
        sign = dingtalk_sign(timestamp, settings.DINGTALK_SECRET)
        return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"

    def payload(self, summary: Summary, kind: str, **_ignored) -> dict:
        """An ActionCard: Markdown text with analyst text escaped, one button to the issue."""
        title = _words(summary)[kind].format(title=summary.title)
        text = "\n\n".join(
            [f"### {_markdown_text(title)}", _markdown_text(summary.date)]
            + [_markdown_text(line) for line in _lines(summary)]
        )
        card = {"title": title, "text": text, "btnOrientation": "0"}
        card |= {"singleTitle": _words(summary)["read"], "singleURL": summary.url}
        return {"msgtype": "actionCard", "actionCard": card}

    def wait_for_rate_limit(self, delivery) -> float | None:
        """Seconds until DingTalk takes another message, or None when it takes one now."""
        now = timezone.now()
        recent = ChannelDelivery.objects.filter(
            channel=ChannelDelivery.Channel.DINGTALK, sent_at__gt=now - timedelta(minutes=1)
        ).order_by("sent_at")
        times = list(recent.values_list("sent_at", flat=True))
        if len(times) < settings.DINGTALK_MESSAGES_PER_MINUTE:
            return None
        oldest = times[len(times) - settings.DINGTALK_MESSAGES_PER_MINUTE]
        return max((oldest + timedelta(minutes=1) - now).total_seconds(), 1.0)

    def send(self, delivery) -> dict:
        """Post the card; DingTalk answers {"errcode": 0}; 130101 means over 20 a minute."""
        wait = self.wait_for_rate_limit(delivery)
        if wait is not None:
            raise Retry(_("钉钉每分钟最多 20 条消息，稍后发送。"), after=wait)
        timestamp = str(int(time.time() * 1000))
        body = dumps(self.payload(summarise(delivery), delivery.kind))
        response = http.post_json(self.url(timestamp=timestamp), body)
        code, message = _answer_code(response, "errcode")
        if code == 0:
            return {}
        message = f"DingTalk {code}: {message}"
        if code == 130101:
            raise Retry(message, after=60)
        if code is None and response.status >= 500:
            raise Retry(message)
        raise Failed(message)

    def preflight(self, issue) -> list[tuple[str, str]]:
        return _size_problems(self, issue)


def _size_problems(bot, issue) -> list[tuple[str, str]]:
    """The card an issue makes must fit the platform's 20 KB body limit."""
    delivery = ChannelDelivery(issue=issue, kind="publish")
    size = len(dumps(bot.payload(summarise(delivery), "publish", timestamp="0")))
    if size <= MAX_BODY_BYTES:
        return []
    return [
        (
            _("%(bot)s卡片有 %(size)d 字节，超过上限 %(max)d 字节。")
            % {"bot": bot.label, "size": size, "max": MAX_BODY_BYTES},
            _("缩短今日三条结论。"),
        )
    ]


feishu = Feishu()
dingtalk = DingTalk()
