"""The email digest of an issue: subject, preheader, HTML with its CSS inlined, and plain text.

Rendered once per issue; each recipient's copy only swaps UNSUBSCRIBE_PLACEHOLDER for their token.
"""

import html as html_lib
from dataclasses import dataclass

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from .labels import SECTION_LABELS
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


def _sections(issue, labels) -> dict:
    """The issue's content as template-ready dictionaries, Markdown already sanitised."""

    def sources(item):
        return [{"label": c.label, "url": c.source.url} for c in item.citations.all()]

    def fields(item, names):
        return [
            (labels[name], render_markdown(getattr(item, attr)))
            for name, attr in names
            if getattr(item, attr)
        ]

    events = [
        {
            "rank": event.rank,
            "title": render_markdown_inline(event.title),
            "fields": fields(
                event,
                [
                    ("what_happened", "what_happened"),
                    ("key_facts", "key_facts"),
                    ("why_it_matters", "why_it_matters"),
                    ("implications", "implications"),
                ],
            ),
            "sources": sources(event),
        }
        for event in issue.events.all()
    ]
    signals = [
        {
            "rank": signal.rank,
            "title": f"{signal.handle}：{signal.headline}",
            "meta": [
                (labels["type"], signal.signal_type),
                (labels["verification"], signal.verification_note),
            ],
            "fields": fields(signal, [("take", "one_line_take")]),
            "sources": sources(signal),
        }
        for signal in issue.signals.all()
    ]
    papers = [
        {
            "rank": paper.rank,
            "title": f"{paper.name}：{paper.headline}",
            "url": paper.url,
            "fields": fields(
                paper,
                [
                    ("what_it_does", "what_it_does"),
                    ("what_is_new", "what_is_new"),
                    ("applications", "applications"),
                    ("take", "one_line_take"),
                ],
            ),
            "sources": sources(paper),
        }
        for paper in issue.papers.all()
    ]
    return {"events": events, "signals": signals, "papers": papers}


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
            "events_heading": labels["events"].format(n=len(issue.events.all())),
            "overview": render_markdown(issue.overview),
            "business": render_markdown(issue.business_analysis),
            "conclusions": [render_markdown_inline(c.text) for c in issue.conclusions.all()],
            "corrections": [render_markdown(c.text) for c in issue.corrections.all()],
            "web_url": settings.SITE_URL + issue.get_absolute_url(),
            "unsubscribe_url": unsubscribe_url(),
            "preheader": _preheader(issue),
            **_sections(issue, labels),
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
