"""The issue as a WeChat Official Account article, and WeChat's limits on it.

The same approved issue the web page shows, written for WeChat's editor: one `<section>` of
inline-styled paragraphs (see wechat_markup), every cited source a footnote marker `[n]` with its
label and URL written out in a closing 参考来源 list (WeChat removes links to other sites), and
each item's verification note kept beside it.
"""

from dataclasses import dataclass
from html import escape, unescape

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from events.models import Issue
from events.rendering.labels import SECTION_LABELS
from events.rendering.markdown import render_markdown

from .wechat_markup import PARSER, STYLE, Footnotes, blocks, inline, tag

#: WeChat's documented limits for draft/add: content under 20,000 characters and under 1 MB.
MAX_CONTENT_CHARS = 20_000
MAX_CONTENT_BYTES = 1024 * 1024
MAX_TITLE_CHARS = 32
MAX_DIGEST_CHARS = 120
#: The closing list's heading, in the issue's language like the other headings.
REFERENCES = {"zh-hans": "参考来源", "en": "References"}


@dataclass(frozen=True)
class Article:
    title: str
    digest: str
    content: str
    source_url: str
    #: section heading → characters of markup it takes, to say what to cut
    sizes: dict


def _load(issue):
    return Issue.objects.with_items().get(pk=issue.pk)


def _labels(issue) -> dict:
    return SECTION_LABELS.get(issue.language, SECTION_LABELS["zh-hans"])


def _heading(text: str) -> str:
    return tag("p", "h2", escape(text))


def _field(label: str, markup: str, colon: str) -> str:
    """A labelled field; the label joins the field's first paragraph, as in the daily format."""
    if not markup:
        return ""
    strong = f"<strong>{tag('span', 'label', escape(label + colon))}</strong>"
    opening = f'<p style="{STYLE["p"]}">'
    if markup.startswith(opening):
        return opening + strong + markup[len(opening) :]
    return tag("p", "p", strong) + markup


def _sources(item, labels, notes: Footnotes, heading_key: str) -> str:
    cited = [
        escape(c.label or c.source.url) + notes.marker(c.label, c.source.url)
        for c in item.citations.all()
    ]
    if not cited:
        return ""
    line = tag("span", "label", escape(labels[heading_key] + labels["colon"])) + " | ".join(cited)
    return tag("p", "p", line)


def _note(item, labels) -> str:
    note = (item.verification_note or "").strip()
    label = labels["verification"] + labels["colon"]
    status = item.get_verification_status_display()
    return tag("span", "note", escape(f"{label}{status}" + (f" · {note}" if note else "")))


def _item(title_markup: str, fields, item, labels, notes, sources_key) -> str:
    colon = labels["colon"]
    body = tag("p", "item_title", title_markup)
    body += "".join(_field(label, blocks(text, notes), colon) for label, text in fields if text)
    body += _sources(item, labels, notes, sources_key) + _note(item, labels)
    return tag("section", "item", body)


def _events(issue, labels, notes) -> str:
    parts = []
    for event in issue.events.all():
        names = ("what_happened", "key_facts", "why_it_matters", "implications")
        fields = [(labels[name], getattr(event, name)) for name in names]
        title = f"{event.rank}. " + _inline_text(event.title, notes)
        parts.append(_item(title, fields, event, labels, notes, "sources"))
    return "".join(parts)


def _signals(issue, labels, notes) -> str:
    parts = []
    for signal in issue.signals.all():
        fields = [(labels["type"], signal.signal_type), (labels["take"], signal.one_line_take)]
        title = escape(f"{signal.rank}. {signal.handle}{labels['colon']}{signal.headline}")
        parts.append(_item(title, fields, signal, labels, notes, "item_sources"))
    return "".join(parts)


def _papers(issue, labels, notes) -> str:
    parts = []
    for paper in issue.papers.all():
        names = (("what_it_does", "what_it_does"), ("what_is_new", "what_is_new"))
        names += (("applications", "applications"), ("take", "one_line_take"))
        fields = [(labels[label], getattr(paper, attr)) for label, attr in names]
        title = escape(f"{paper.rank}. {paper.name}{labels['colon']}{paper.headline}")
        if paper.url:
            title += notes.marker(paper.name, paper.url)
        parts.append(_item(title, fields, paper, labels, notes, "item_sources"))
    return "".join(parts)


def _inline_text(text: str, notes: Footnotes) -> str:
    tokens = PARSER.parseInline(text or "")
    return "".join(inline(t.children, notes) for t in tokens)


def _references(notes: Footnotes, heading: str) -> str:
    rows = [
        tag("p", "refs", escape(f"[{n}] {label}: {url}"))
        for n, (label, url) in enumerate(notes.entries, start=1)
    ]
    return _heading(heading) + "".join(rows) if rows else ""


def _sections(issue, labels, notes) -> list[tuple[str, str]]:
    conclusions = "".join(
        tag("li", "li", _inline_text(c.text, notes)) for c in issue.conclusions.all()
    )
    conclusions = f'<ol style="{STYLE["list"]}">{conclusions}</ol>' if conclusions else ""
    events_heading = labels["events"].format(n=len(issue.events.all()))
    sections = [
        (labels["overview"], blocks(issue.overview, notes)),
        (labels["conclusions"], conclusions),
        (events_heading, _events(issue, labels, notes)),
        (labels["business"], blocks(issue.business_analysis, notes)),
        (labels["signals"], _signals(issue, labels, notes)),
        (labels["papers"], _papers(issue, labels, notes)),
    ]
    return [(heading, body) for heading, body in sections if body]


def _corrections(issue, labels, notes) -> str:
    rows = [
        tag("p", "p", escape(f"{c.created_at:%Y-%m-%d}{labels['colon']}")) + blocks(c.text, notes)
        for c in issue.corrections.all()
    ]
    if not rows:
        return ""
    return tag("section", "correction", _heading(labels["corrections"]) + "".join(rows))


def render_article(issue) -> Article:
    """The issue as WeChat's draft/add expects it: title, digest, content and the original URL."""
    issue = _load(issue)
    labels = _labels(issue)
    notes = Footnotes()
    coverage = labels["coverage"].format(
        start=issue.coverage_start.isoformat(), end=issue.coverage_end.isoformat()
    )
    dated = escape(f"{labels['date']}{labels['colon']}{issue.date}")
    meta = tag("p", "meta", tag("span", "line", dated) + tag("span", "line", escape(coverage)))
    parts = [meta, _corrections(issue, labels, notes)]
    sizes = {}
    for heading, body in _sections(issue, labels, notes):
        chunk = _heading(heading) + body
        sizes[heading] = len(chunk)
        parts.append(chunk)
    heading = REFERENCES.get(issue.language, REFERENCES["zh-hans"])
    references = _references(notes, heading)
    sizes[heading] = len(references)
    content = tag("section", "article", "".join(parts) + references)
    return Article(
        title=issue.display_title,
        digest=_digest(issue),
        content=content,
        source_url=settings.SITE_URL + issue.get_absolute_url(),
        sizes=sizes,
    )


def _digest(issue) -> str:
    first = next(iter(issue.conclusions.all()), None)
    text = strip_tags(render_markdown(first.text if first else issue.overview))
    return " ".join(unescape(text).split())[:MAX_DIGEST_CHARS]


def render_wechat(issue) -> str:
    """The article's HTML, for `export_issue --format wechat` and the copy button."""
    return render_article(issue).content


def limit_problems(article: Article) -> list[tuple[str, str]]:
    """(what is over WeChat's limit, what to cut) for each limit the article exceeds."""
    found = []
    title = len(article.title)
    if title > MAX_TITLE_CHARS:
        found.append(
            (
                _("微信标题有 %(count)d 个字，超过上限 %(max)d 个字。")
                % {"count": title, "max": MAX_TITLE_CHARS},
                _("把标题缩短 %(cut)d 个字。") % {"cut": title - MAX_TITLE_CHARS},
            )
        )
    chars = len(article.content)
    size = len(article.content.encode("utf-8"))
    if chars >= MAX_CONTENT_CHARS or size >= MAX_CONTENT_BYTES:
        found.append(
            (
                _("微信正文有 %(chars)d 个字符（%(kb)d KB），上限是 %(max)d 个字符、1 MB。")
                % {"chars": chars, "kb": size // 1024, "max": MAX_CONTENT_CHARS},
                _("至少删减 %(cut)d 个字符；最长的部分：%(largest)s。")
                % {
                    "cut": max(chars - MAX_CONTENT_CHARS + 1, 0) or 1,
                    "largest": "、".join(
                        f"{name}（{count}）"
                        for name, count in sorted(article.sizes.items(), key=lambda x: -x[1])[:3]
                    ),
                },
            )
        )
    return found
