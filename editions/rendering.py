"""What every renderer of a file needs: the issue page's own context, and what a file is."""

from dataclasses import dataclass

from django.conf import settings

from events.rendering.web import issue_context

from .labels import edition_labels


class RendererUnavailable(RuntimeError):
    """The program a kind of file needs (WeasyPrint, Chromium) is not installed here."""


class RenderFailed(RuntimeError):
    """The renderer ran and failed; the message says how."""


@dataclass(frozen=True)
class Rendered:
    content: bytes
    extension: str
    content_type: str
    width: int | None = None
    height: int | None = None


def file_context(issue) -> dict:
    """The public page's context (same sections, same labels), with absolute links and the
    edition's own labels; `issue` comes from Issue.objects.for_issue_page()."""
    context = issue_context(issue, base_url=settings.SITE_URL, extras=False)
    corrections = context["corrections"]
    return {
        **_sections_by_name(issue, context["labels"]),
        **context,
        "issue_url": f"{settings.SITE_URL}{issue.get_absolute_url()}",
        "edition": edition_labels(issue.language),
        "last_correction": corrections[-1] if corrections else None,
    }


def _sections_by_name(issue, labels) -> dict:
    """The item sections under fixed names, which the print and share templates lay out each in
    its own way (from the prefetched issue: no query); the page's own context wins where it
    names them too."""
    events = list(issue.events.all())
    return {
        "events": events,
        "events_heading": labels["events"].format(n=len(events)),
        "signals": list(issue.signals.all()),
        "papers": list(issue.papers.all()),
    }
