"""Search over everything published: issues, conclusions and items, Chinese and Latin alike.

Matching is by substring, which is what Chinese needs (no word boundaries): every word of the
query must appear in UPPER(field1 || ' ' || field2 ...), one search document per row. On
PostgreSQL a pg_trgm GIN index is built on exactly that expression (`trigram_index`, declared in
each searched model's Meta.indexes), so a single indexed LIKE serves each query; SQLite scans.
"""

import functools
import heapq
import operator
import re
from dataclasses import dataclass

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db.models import F, Func, Q, TextField
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .sections import SECTIONS

MAX_QUERY_LENGTH = 100
MAX_TERMS = 5
MAX_HITS = 40  # newest first; a reader refines the query rather than paging through hundreds
SNIPPET_CHARS = 120

#: model path → the text fields searched, the first one being the item's title line.
SEARCHED_FIELDS = {
    **{kind.key: kind.searched_fields for kind in SECTIONS},
    "issue": ("title", "overview", "business_analysis"),
    "conclusion": ("text",),
}


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


JOIN = " || ' ' || "  # a space never occurs inside a term, so no match spans two fields


class SearchDocument(Func):
    """UPPER(f1 || ' ' || f2 ...): the very expression the trigram indexes are built on."""

    output_field = TextField()

    def __init__(self, *fields):
        super().__init__(*(F(field) for field in fields))

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        return "UPPER((" + JOIN.join(parts) + "))", params


class TrigramIndex(GinIndex):
    """A pg_trgm GIN index that exists on PostgreSQL only: elsewhere creating or dropping it is
    a comment, so SQLite (which has no GIN) still migrates and rebuilds the tables it is on."""

    NOT_HERE = "-- the trigram index exists on PostgreSQL only"

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return self.NOT_HERE
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return self.NOT_HERE
        return super().remove_sql(model, schema_editor, **kwargs)


def trigram_index(kind: str, name: str) -> TrigramIndex:
    """The index that serves `_matching` on one kind's search document."""
    document = SearchDocument(*SEARCHED_FIELDS[kind])
    return TrigramIndex(OpClass(document, name="gin_trgm_ops"), name=name)


#: pg_trgm can serve a LIKE only with a run of this many characters to take trigrams from.
TRIGRAM = 3


def _in_some_field(fields, term: str) -> Q:
    """The term in any one field: what a short term needs, which no trigram index can serve.

    Scanning rows then, testing each field as stored is several times cheaper than building and
    upper-casing the whole document; upper-casing is needed only by terms that have a case.
    """
    lookup = "contains" if term.upper() == term.lower() else "icontains"
    return functools.reduce(operator.or_, (Q(**{f"{field}__{lookup}": term}) for field in fields))


def _matching(queryset, fields, terms):
    """Rows whose search document contains every term."""
    queryset = queryset.alias(search_document=SearchDocument(*fields))
    for term in terms:
        if len(term) >= TRIGRAM:
            queryset = queryset.filter(search_document__contains=term.upper())
        else:
            queryset = queryset.filter(_in_some_field(fields, term))
    return queryset


@functools.lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """Escape the text and wrap each occurrence of a term in <mark>."""
    if not terms:
        return escape(text)
    pattern = _pattern(tuple(terms))
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


def _title(kind, row) -> str:
    """How an item hit is titled, from the values fetched: "1. title" or "1. name: headline"."""
    name = f"{row['rank']}. {row[kind.name_field]}"
    return f"{name}: {row[kind.headline_field]}" if kind.headline_field else name


def search(query: str) -> list[Hit]:
    """Published items and issues matching every word of the query, newest issue first.

    Rows are fetched as values or with only the fields shown, and URLs built from one reversed
    prefix: the page shows up to MAX_HITS results in well under the time of one SQL query each.
    """
    terms = terms_of(query)
    if not terms:
        return []
    day_url = reverse("events:issue", args=["0000-00-00"]).replace("0000-00-00", "{}")
    hits = []
    for kind_hits in _KIND_HITS:
        hits.extend(kind_hits(terms, day_url, _newer_than(hits)))
    # Highlight only what is shown: the newest MAX_HITS of all kinds. The sort is stable, so on
    # one date the kinds stay in the order they were searched.
    hits.sort(key=lambda hit: hit[1], reverse=True)
    return [_hit(*hit, terms) for hit in hits[:MAX_HITS]]


def _newer_than(hits):
    """The date a kind searched next must beat for its hits to be shown, None while any may be.

    Once MAX_HITS hits are dated on or after D, a later kind's hit dated D or earlier sorts
    after all of them and is never shown. Bounding the next query by that date lets PostgreSQL
    walk the newest issues by the date index and stop, where a common word would otherwise
    have it scan and sort every row (it expects far fewer rows to match than do).
    """
    if len(hits) < MAX_HITS:
        return None
    return heapq.nlargest(MAX_HITS, (hit[1] for hit in hits))[-1]


def _newer(queryset, date_field: str, newer_than):
    return queryset if newer_than is None else queryset.filter(**{f"{date_field}__gt": newer_than})


def _section_hits(section, terms, day_url, newer_than) -> list[tuple]:
    kind, fields = section.key, section.searched_fields
    published = _newer(
        section.model.objects.filter(issue__status="published"), "issue__date", newer_than
    )
    rows = (
        _matching(published, fields, terms)
        .order_by("-issue__date", "rank")
        .values("rank", "issue__date", *fields)[:MAX_HITS]
    )
    hits = []
    for row in rows:
        date = row["issue__date"]
        url = f"{day_url.format(date.isoformat())}#{kind}-{row['rank']}"
        texts = [row[field] for field in fields]
        hits.append((kind, date, url, _title(section, row), texts))
    return hits


def _issue_hits(terms, day_url, newer_than) -> list[tuple]:
    """Issues whose own text matches."""
    from .models import Issue

    published = _newer(Issue.objects.published(), "date", newer_than)
    issues = _matching(published, SEARCHED_FIELDS["issue"], terms)
    shown = ("date", "title", "language", "overview", "business_analysis")
    hits = []
    for issue in issues.only(*shown).order_by("-date")[:MAX_HITS]:
        texts = [issue.overview, issue.business_analysis, issue.title]
        url = day_url.format(issue.date.isoformat())
        hits.append(("issue", issue.date, url, str(issue), texts))
    return hits


def _conclusion_hits(terms, day_url, newer_than) -> list[tuple]:
    from .models import Conclusion

    published = _newer(
        Conclusion.objects.filter(issue__status="published"), "issue__date", newer_than
    )
    conclusions = (
        _matching(published, SEARCHED_FIELDS["conclusion"], terms)
        .select_related("issue")
        .only("position", "text", "issue__date", "issue__title", "issue__language")
        .order_by("-issue__date", "position")[:MAX_HITS]
    )
    hits = []
    for conclusion in conclusions:
        date = conclusion.issue.date
        url = f"{day_url.format(date.isoformat())}#conclusion-{conclusion.position}"
        hits.append(("conclusion", date, url, str(conclusion.issue), [conclusion.text]))
    return hits


#: Searched in this order, which is also the order of hits dated the same day.
_KIND_HITS = [
    *(functools.partial(_section_hits, section) for section in SECTIONS),
    _issue_hits,
    _conclusion_hits,
]


def _hit(kind, date, url, title, texts, terms) -> Hit:
    return Hit(
        kind=kind,
        date=date,
        url=url,
        title=title,
        snippet=snippet(texts, terms),
        title_html=highlight(title, terms),
    )
