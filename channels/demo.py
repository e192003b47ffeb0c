"""What each channel would send for the demo's published issue, written under
MEDIA_ROOT/channels/ (var/media/channels/ by default).

A bare machine has no WeChat account, chat groups or webhook receivers: the demo shows the exact
article and payloads instead, signed with the configured secrets (or a demo secret).
"""

import json
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from . import chatbots, webhooks, wechat, wechat_api
from .models import ChannelDelivery
from .summary import summarise

#: The demo's webhook is signed with this, so a reader can check the signature by hand.
DEMO_SIGNING_KEY = "demo-" + "secret"
#: 2026-04-08 08:00 Asia/Shanghai, so the demo's signatures are the same on every run.
DEMO_TIMESTAMP = "1775606400"


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def _webhook(delivery) -> dict:
    body = webhooks.payload(delivery)
    raw = json.dumps(body, ensure_ascii=False).encode()
    signature = webhooks.signature(DEMO_SIGNING_KEY, DEMO_TIMESTAMP, raw)
    headers = {webhooks.SIGNATURE_HEADER: signature, "X-Aidaily-Event": body["event"]}
    return {"headers": headers, "body": body}


def outputs(issue) -> dict[str, tuple[str, str]]:
    """file name → (channel, content) of everything the channels would send for the issue."""
    article = wechat.render_article(issue)
    delivery = ChannelDelivery(issue=issue, kind=ChannelDelivery.Kind.PUBLISH, key="demo")
    summary = summarise(delivery)
    preview = render_to_string("channels/wechat_preview.html", {"article": article})
    feishu = chatbots.feishu.payload(summary, "publish", timestamp=DEMO_TIMESTAMP)
    return {
        "wechat.html": ("微信公众号（粘贴用 HTML）", article.content),
        "wechat-preview.html": ("微信公众号（浏览器预览）", preview),
        "wechat-draft.json": ("微信 draft/add 请求", _json(wechat_api.draft_body(issue))),
        "feishu.json": ("飞书卡片", _json(feishu)),
        "dingtalk.json": ("钉钉 ActionCard", _json(chatbots.dingtalk.payload(summary, "publish"))),
        "webhook.json": ("Webhook", _json(_webhook(delivery))),
    }


def write_outputs(issue, directory: Path | None = None) -> list[tuple[str, Path]]:
    """Write every channel's output for the issue; returns (channel, file) pairs."""
    directory = directory or Path(settings.MEDIA_ROOT) / "channels" / issue.date.isoformat()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (channel, content) in outputs(issue).items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        written.append((channel, path))
    return written
