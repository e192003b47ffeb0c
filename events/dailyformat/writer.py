"""An issue → the daily format (`md`, re-importable) or a plain-text digest (`text`).

The `md` export is real Markdown: `#` title, `##` sections, `### 1. title` items and
`[label](url)` sources; the parser reads it as well as the plain format analysts write.
It passes every value through the parser's own rules (`text.canonical`), so
import → export → import → export gives a byte-identical second export.
"""

import re

from ..models import Issue
from ..sections import page_order
from . import labels
from .citations import write_source
from .text import canonical, escape_line_starts, one_line


def _load(issue) -> Issue:
    return Issue.objects.with_items().get(pk=issue.pk)


def _language(issue) -> str:
    return labels.EN if issue.language == labels.EN else labels.ZH


def _header(issue, language) -> list[str]:
    colon = labels.COLON[language]
    coverage = labels.COVERAGE[language].format(
        start=issue.coverage_start.isoformat(), end=issue.coverage_end.isoformat()
    )
    date_line = (
        f"{labels.DATE_LABEL[language]}{colon}{issue.date.isoformat()} ({labels.TIMEZONE}) "
        f"{coverage}"
    )
    note = one_line(issue.coverage_note)
    return [
        f"# {one_line(issue.display_title)} ({labels.TIMEZONE})",
        date_line + (f"\n{note}" if note else ""),
    ]


def _item_title(kind, item, colon) -> str:
    """An event's title; a signal's "@handle：headline"; a paper's "name：headline"."""
    name = one_line(getattr(item, kind.name_field))
    headline = one_line(getattr(item, kind.headline_field)) if kind.headline_field else ""
    return f"{name}{colon}{headline}" if headline else name


def _h2(title: str) -> str:
    return f"## {title}"


def _markdown_conclusions(issue, language, blocks) -> None:
    # An empty conclusion would export as a bare "1." that the parser refuses.
    conclusions = [text for c in issue.conclusions.all() if (text := canonical(c.text))]
    if conclusions:
        lines = [
            f"{n}. {escape_line_starts(text, items=True)}" for n, text in enumerate(conclusions, 1)
        ]
        blocks.extend([_h2(labels.heading("conclusions", language)), "\n".join(lines)])


def _markdown_items(kind, issue, language, blocks) -> None:
    colon = labels.COLON[language]
    section = kind.relation
    items = list(getattr(issue, section).all())
    if not items:
        return
    blocks.append(_h2(labels.heading(section, language, len(items))))
    for rank, item in enumerate(items, 1):
        # A heading, not a list item: the fields below would end a list and restart it at 1.
        blocks.append(f"### {rank}. {_item_title(kind, item, colon)}")
        for name in labels.SECTION_FIELDS[section]:
            label = labels.field_label(name, language, section)
            if name == "sources":
                cited = " | ".join(
                    write_source(c.label, c.source.url) for c in item.citations.all()
                )
                if cited:
                    blocks.append(f"{label}{colon}{cited}")
                continue
            value = canonical(getattr(item, name))
            if value:
                blocks.append(f"{label}{colon}{escape_line_starts(value, items=True)}")


def write_markdown(issue) -> str:
    """The issue in the daily format, in its language, ending with one newline."""
    issue = _load(issue)
    language = _language(issue)
    blocks = _header(issue, language)

    def paragraphs(section, value):
        value = canonical(value)
        if value:
            blocks.extend(
                [_h2(labels.heading(section, language)), escape_line_starts(value, items=False)]
            )

    texts = {"overview": issue.overview, "business": issue.business_analysis}
    for part in page_order():
        if part == "conclusions":
            _markdown_conclusions(issue, language, blocks)
        elif isinstance(part, str):
            paragraphs(part, texts[part])
        else:
            _markdown_items(part, issue, language, blocks)
    return "\n\n".join(blocks) + "\n"


# Neither a label nor a destination runs past the next "[", so every character is scanned
# from one starting point only: the text costs time in proportion to its length.
MARKDOWN_LINK = re.compile(r"\[([^\[\]]*)\]\(([^\s)\[]+)\)")
HTML_TAG = re.compile(r"</?[a-zA-Z!?][^<>]*>")
EMPHASIS = re.compile(r"(\*\*|__|\*|`)(.+?)\1")
LINE_MARKERS = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?)", re.MULTILINE)
BACKSLASH = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def plain(text: str) -> str:
    """Markdown → readable plain text: links spelled out, markers and HTML tags removed."""
    text = canonical(text)
    text = MARKDOWN_LINK.sub(r"\1 (\2)", text)
    text = EMPHASIS.sub(r"\2", text)
    text = LINE_MARKERS.sub("", text)
    # One pass over the text: this is plain text, not HTML for a browser, and strip_tags
    # refuses (raises) on text with many unclosed "<".
    return BACKSLASH.sub(r"\1", HTML_TAG.sub("", text))


def write_text(issue) -> str:
    """A plain-text digest of the issue (for mail clients and terminals), one newline at the end."""
    issue = _load(issue)
    language = _language(issue)
    coverage = labels.COVERAGE[language].format(
        start=issue.coverage_start.isoformat(), end=issue.coverage_end.isoformat()
    )
    blocks = [f"{one_line(issue.display_title)}\n{coverage}"]
    if issue.coverage_note:
        blocks[0] += "\n" + one_line(issue.coverage_note)

    def heading(section, count=0):
        title = labels.heading(section, language, count)
        return f"【{title}】" if language == labels.ZH else f"== {title} =="

    def section_text(section, value):
        if canonical(value):
            blocks.extend([heading(section), plain(value)])

    texts = {"overview": issue.overview, "business": issue.business_analysis}
    for part in page_order():
        if part == "conclusions":
            conclusions = list(issue.conclusions.all())
            if conclusions:
                blocks.append(heading("conclusions"))
                blocks.append(
                    "\n".join(f"{n}. {plain(c.text)}" for n, c in enumerate(conclusions, 1))
                )
        elif isinstance(part, str):
            section_text(part, texts[part])
        else:
            items = list(getattr(issue, part.relation).all())
            if items:
                blocks.append(heading(part.relation, len(items)))
            blocks += [_text_item(part, rank, item, language) for rank, item in enumerate(items, 1)]
    return "\n\n".join(blocks) + "\n"


def _text_item(kind, rank, item, language) -> str:
    colon = labels.COLON[language]
    lines = [f"{rank}. {plain(_item_title(kind, item, colon))}"]
    for name in labels.SECTION_FIELDS[kind.relation]:
        label = labels.field_label(name, language, kind.relation)
        if name == "sources":
            lines += [f"{label}{colon}"] if item.citations.all() else []
            lines += [f"  - {c.label}: {c.source.url}" for c in item.citations.all()]
        elif canonical(getattr(item, name)):
            lines.append(f"{label}{colon}{plain(getattr(item, name))}")
    return "\n".join(lines)
