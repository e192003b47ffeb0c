"""Search over everything published: issues, conclusions and items, Chinese and Latin alike.

`icontains` is a substring match, which is what Chinese needs (no word boundaries). On
PostgreSQL it is served by pg_trgm GIN indexes on UPPER(column) (migration 0003); SQLite scans.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 100
MAX_TERMS = 5
HITS_PER_KIND = 50
SNIPPET_CHARS = 120

#: model path → the text fields searched, the first one being the item's title line.
SEARCHED_FIELDS = {
    "event": ("title", "what_happened", "key_facts", "why_it_matters", "implications",
              "verification_note"),
    "signal": ("headline", "handle", "signal_type", "one_line_take", "verification_note"),
    "paper": ("headline", "name", "what_it_does", "what_is_new", "applications",
              "one_line_take", "verification_note"),
    "issue": ("title", "overview", "business_analysis"),
    "conclusion": ("text",),
}  # fmt: skip


@dataclass
class Hit:
    """One search result: where it is, what it is called, and the matching passage."""

    kind: str
    date: object
    url: str
    title: str
    snippet: SafeString
    title_html: SafeString


def terms_of(query: str) -> list[str]:
    """The words of a query (at most five, the query cut to 100 characters)."""
    words = (query or "").strip()[:MAX_QUERY_LENGTH].split()
    unique = list(dict.fromkeys(word for word in words if word))
    return unique[:MAX_TERMS]


def _matches(fields, terms) -> Q:
    """Every term appears in at least one of the fields."""
    return reduce(
        and_,
        (reduce(or_, (Q(**{f"{field}__icontains": term}) for field in fields)) for term in terms),
    )


def highlight(text: str, terms: list[str]) -> SafeString:
    """Escape the text and wrap each occurrence of a term in <mark>."""
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every piece of text is escaped above


def snippet(texts: list[str], terms: list[str]) -> SafeString:
    """The passage around the first match among the texts, highlighted."""
    lowered = [term.lower() for term in terms]
    for text in texts:
        flat = " ".join((text or "").split())
        positions = [flat.lower().find(term) for term in lowered]
        found = [position for position in positions if position >= 0]
        if found:
            start = max(0, min(found) - SNIPPET_CHARS // 3)
            excerpt = flat[start : start + SNIPPET_CHARS]
            prefix = "…" if start else ""
            suffix = "…" if start + SNIPPET_CHARS < len(flat) else ""
            return mark_safe(f"{prefix}{highlight(excerpt, terms)}{suffix}")
    flat = " ".join((texts[0] if texts else "").split())
    return escape(flat[:SNIPPET_CHARS])


def search(query: str) -> list[Hit]:
    """Published items and issues matching every word of the query, newest issue first."""
    from .models import Conclusion, Event, Issue, Paper, SocialSignal

    terms = terms_of(query)
    if not terms:
        return []
    hits = []
    for kind, model in (("event", Event), ("signal", SocialSignal), ("paper", Paper)):
        fields = SEARCHED_FIELDS[kind]
        rows = (
            model.objects.filter(issue__status="published")
            .filter(_matches(fields, terms))
            .select_related("issue")
            .order_by("-issue__date", "rank")[:HITS_PER_KIND]
        )
        for item in rows:
            texts = [getattr(item, field) for field in fields]
            hits.append(_hit(kind, item.issue, item.get_absolute_url(), str(item), texts, terms))
    issues = Issue.objects.published().filter(_matches(SEARCHED_FIELDS["issue"], terms))
    for issue in issues.order_by("-date")[:HITS_PER_KIND]:
        texts = [issue.overview, issue.business_analysis, issue.title]
        hits.append(_hit("issue", issue, issue.get_absolute_url(), str(issue), texts, terms))
    conclusions = (
        Conclusion.objects.filter(issue__status="published")
        .filter(_matches(SEARCHED_FIELDS["conclusion"], terms))
        .select_related("issue")
        .order_by("-issue__date", "position")[:HITS_PER_KIND]
    )
    for conclusion in conclusions:
        url = f"{conclusion.issue.get_absolute_url()}#conclusion-{conclusion.position}"
        hits.append(_hit("conclusion", conclusion.issue, url, str(conclusion.issue),
                         [conclusion.text], terms))  # fmt: skip
    hits.sort(key=lambda hit: hit.date, reverse=True)
    return hits


def _hit(kind, issue, url, title, texts, terms) -> Hit:
    return Hit(
        kind=kind,
        date=issue.date,
        url=url,
        title=title,
        snippet=snippet(texts, terms),
        title_html=highlight(title, terms),
    )
