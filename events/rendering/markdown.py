"""Markdown → sanitised HTML, the only way analyst text reaches a reader's screen.

The parser is markdown-it (CommonMark), whose cost grows linearly with the text however it is
nested, and which stops descending at `maxNesting` instead of recursing without bound. Raw HTML
in the text is shown as typed, not parsed: the HTML sanitiser's own cost grows with the depth
of the markup it is given, so it only ever sees the parser's well-formed output.
"""

import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "del",
    "sup",
    "sub",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
_SINGLE_PARAGRAPH = re.compile(r"\A<p>(.*)</p>\Z", re.DOTALL)

#: Lists and block quotes inside one another, at most; the importer and the admin refuse more.
MAX_NESTING = 8
_CONTAINERS = {"bullet_list_open", "ordered_list_open", "blockquote_open"}
_CONTAINER_ENDS = {"bullet_list_close", "ordered_list_close", "blockquote_close"}

# markdown-it counts one level per open tag, two per list (the list and its item), and stops
# descending at maxNesting: text stored before the limit was enforced still renders, what lies
# deeper is dropped rather than recursed into. Every `[` costs work in proportion to this
# bound (links are tried inside links up to it), so it is kept as small as MAX_NESTING allows.
_PARSER = MarkdownIt("commonmark", {"html": False, "maxNesting": 2 * MAX_NESTING + 4})
# A link to a scheme markdown-it distrusts would stay as its Markdown source; parsed, it reaches
# nh3, which keeps the words and drops a href outside URL_SCHEMES, as for every other link.
_PARSER.validateLink = lambda url: True


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
    )


def render_markdown(text: str) -> SafeString:
    """Render Markdown and keep only an allow-list of tags; links get rel="noopener nofollow"."""
    html = _PARSER.render(text or "").rstrip("\n")
    return mark_safe(_clean(html))  # nh3 has just removed everything not allowed


def render_markdown_inline(text: str) -> SafeString:
    """Render one line of Markdown for use inside a heading or list item (no wrapping <p>)."""
    html = str(render_markdown(text)).strip()
    match = _SINGLE_PARAGRAPH.match(html)
    if match and "<p>" not in match.group(1):
        html = match.group(1)
    return mark_safe(html)  # sanitised by render_markdown


def too_deep_at(text: str) -> int | None:
    """The line (1-based, within the text) of the first list or quote nested deeper than
    MAX_NESTING levels, or None."""
    depth = 0
    for token in _PARSER.parse(text or ""):
        if token.type in _CONTAINERS:
            depth += 1
            if depth > MAX_NESTING:
                return token.map[0] + 1 if token.map else 1
        elif token.type in _CONTAINER_ENDS:
            depth -= 1
    return None


def validate_markdown(text: str) -> None:
    """Refuse Markdown whose lists and block quotes nest deeper than MAX_NESTING levels."""
    line = too_deep_at(text)
    if line is not None:
        raise ValidationError(
            _(
                "列表或引用嵌套太深：这一栏第 %(line)d 行起超过了 %(limit)d 层。"
                "最多嵌套 %(limit)d 层，请减少缩进或拆成几段。"
            ),
            code="markdown_nesting",
            params={"line": line, "limit": MAX_NESTING},
        )
