"""What every notification says about an issue: its URL, date, title and a short summary."""

import json
from dataclasses import dataclass
from html import unescape

from django.conf import settings
from django.utils.html import strip_tags

from events.rendering.markdown import render_markdown

SUMMARY_CHARS = 300


def plain(markdown: str) -> str:
    """Markdown as one line of plain text (what a chat card or a JSON consumer shows)."""
    return " ".join(unescape(strip_tags(render_markdown(markdown or ""))).split())


@dataclass(frozen=True)
class Summary:
    title: str
    date: str
    url: str
    summary: str
    conclusions: list
    #: the correction's text or the withdrawal's reason, for those events
    notice: str
    language: str = "zh-hans"


def summarise(delivery) -> Summary:
    """The issue of a delivery, as its notification describes it."""
    issue = delivery.issue
    conclusions = [plain(c.text) for c in issue.conclusions.all()]
    summary = plain(issue.overview) or " ".join(conclusions)
    notice = ""
    if delivery.kind == "correct" and delivery.correction is not None:
        notice = plain(delivery.correction.text)
    elif delivery.kind == "withdraw":
        notice = plain(issue.withdrawal_reason)
    return Summary(
        title=issue.display_title,
        date=issue.date.isoformat(),
        url=settings.SITE_URL + issue.get_absolute_url(),
        summary=summary[:SUMMARY_CHARS],
        conclusions=conclusions,
        notice=notice,
        language=issue.language,
    )


def dumps(value) -> bytes:
    """JSON with <, > and & escaped, so a consumer pasting it into a page cannot be scripted."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.encode("utf-8")
