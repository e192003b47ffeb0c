"""The email digest of an issue: subject, preheader, HTML with its CSS inlined, and plain text.

Rendered once per issue; each recipient's copy only swaps UNSUBSCRIBE_PLACEHOLDER for their token.
"""

import html as html_lib
from dataclasses import dataclass
from functools import partial

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from .labels import SECTION_LABELS, body_parts
from .markdown import render_markdown, render_markdown_inline

#: Replaced per recipient by their unsubscribe token; survives CSS inlining and HTML escaping.
UNSUBSCRIBE_PLACEHOLDER = "AIDAILYUNSUBSCRIBETOKEN"

LABELS = {
    "zh-hans": {
        **SECTION_LABELS["zh-hans"],
        "read_online": "在网页上阅读",
        "unsubscribe": "退订",
        "why": "你收到这封邮件，是因为你订阅了 AI前沿发展日报。",
        "correction_subject": "更正：{title}",
        "correction_intro": "你收到的 {title} 有一处更正：",
    },
    "en": {
        **SECTION_LABELS["en"],
        "read_online": "Read on the web",
        "unsubscribe": "Unsubscribe",
        "why": "You receive this email because you subscribed to AI Frontier Daily.",
        "correction_subject": "Correction: {title}",
        "correction_intro": "A correction to {title}, which you received:",
    },
}


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    preheader: str
    html: str
    text: str


def labels_for(issue) -> dict:
    """Section labels in the issue's language."""
    return LABELS.get(issue.language, LABELS["zh-hans"])


def unsubscribe_url(token: str = UNSUBSCRIBE_PLACEHOLDER) -> str:
    """The absolute one-click unsubscribe URL for a token (the placeholder by default)."""
    return settings.SITE_URL + reverse("newsletter:unsubscribe", args=[token])


def _preheader(issue) -> str:
    """The inbox preview line: the first conclusion (or the overview) as plain text."""
    first = next(iter(issue.conclusions.all()), None)
    source = first.text if first else issue.overview
    text = strip_tags(render_markdown(source or issue.display_title))
    return " ".join(html_lib.unescape(text).split())[:140]


def _email_item(kind, item, labels) -> dict:
    """One item as the email's item fragment shows it, Markdown already sanitised."""
    if kind.headline_field:
        name, headline = getattr(item, kind.name_field), getattr(item, kind.headline_field)
        title = f"{name}：{headline}"
    else:
        title = render_markdown_inline(getattr(item, kind.name_field))
    row = {
        "rank": item.rank,
        "title": title,
        "meta": [(labels[name], getattr(item, name)) for name in kind.email_meta],
        "fields": [
            (labels[name], render_markdown(getattr(item, name)))
            for name in kind.email_fields
            if getattr(item, name)
        ],
        "sources": [{"label": c.label, "url": c.source.url} for c in item.citations.all()],
    }
    if kind.email_link:
        row["url"] = getattr(item, kind.email_link)
    return row


def render_email(issue) -> RenderedDigest:
    """Render the digest of an issue once: the same bytes for every recipient but the token."""
    from events.models import Issue

    issue = Issue.objects.with_items().get(pk=issue.pk)
    labels = labels_for(issue)
    with translation.override(issue.language):
        context = {
            "issue": issue,
            "labels": labels,
            "coverage": labels["coverage"].format(
                start=issue.coverage_start.isoformat(), end=issue.coverage_end.isoformat()
            ),
            "overview": render_markdown(issue.overview),
            "business": render_markdown(issue.business_analysis),
            "conclusions": [render_markdown_inline(c.text) for c in issue.conclusions.all()],
            "corrections": [render_markdown(c.text) for c in issue.corrections.all()],
            "web_url": settings.SITE_URL + issue.get_absolute_url(),
            "unsubscribe_url": unsubscribe_url(),
            "preheader": _preheader(issue),
            "parts": body_parts(issue, labels, partial(_email_item, labels=labels)),
        }
        html = css_inline.inline(render_to_string("email/digest.html", context))
    return RenderedDigest(
        subject=issue.display_title,
        preheader=context["preheader"],
        html=html,
        text=render_text(issue),
    )


def render_text(issue) -> str:
    """The plain-text part: the daily-format text digest, corrections, and a footer."""
    from events.dailyformat.writer import write_text

    labels = labels_for(issue)
    c = labels["colon"]
    blocks = [write_text(issue).rstrip()]
    corrections = list(issue.corrections.all())
    if corrections:
        blocks.append(
            "\n".join(
                [labels["corrections"]]
                + [f"{x.created_at:%Y-%m-%d}{c}{x.text}" for x in corrections]
            )
        )
    web_url = settings.SITE_URL + issue.get_absolute_url()
    blocks.append(
        f"-- \n{labels['read_online']}{c}{web_url}\n"
        f"{labels['why']}\n{labels['unsubscribe']}{c}{unsubscribe_url()}"
    )
    return "\n\n".join(blocks) + "\n"


def render_correction(issue, correction) -> RenderedDigest:
    """A short notice of a correction, for the people who received the issue."""
    labels = labels_for(issue)
    title = issue.display_title
    web_url = settings.SITE_URL + issue.get_absolute_url()
    with translation.override(issue.language):
        context = {
            "issue": issue,
            "labels": labels,
            "intro": labels["correction_intro"].format(title=title),
            "correction": render_markdown(correction.text),
            "web_url": web_url,
            "unsubscribe_url": unsubscribe_url(),
            "preheader": " ".join(strip_tags(render_markdown(correction.text)).split())[:140],
        }
        html = css_inline.inline(render_to_string("email/correction.html", context))
    text = (
        f"{context['intro']}\n\n{correction.text.strip()}\n\n"
        f"{labels['read_online']}{labels['colon']}{web_url}\n\n-- \n{labels['why']}\n"
        f"{labels['unsubscribe']}{labels['colon']}{unsubscribe_url()}\n"
    )
    return RenderedDigest(
        subject=labels["correction_subject"].format(title=title),
        preheader=context["preheader"],
        html=html,
        text=text,
    )
