"""Markdown → sanitised HTML, the only way analyst text reaches a reader's screen."""

import re

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension

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


class _DollarEscape(Extension):
    """Let `\\$10` (as analysts copy it from Markdown editors) render as `$10`."""

    def extendMarkdown(self, md):  # Python-Markdown's API name
        if "$" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("$")


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
    html = markdown_lib.markdown(
        text or "", extensions=["sane_lists", _DollarEscape()], output_format="html"
    )
    return mark_safe(_clean(html))  # nh3 has just removed everything not allowed


def render_markdown_inline(text: str) -> SafeString:
    """Render one line of Markdown for use inside a heading or list item (no wrapping <p>)."""
    html = str(render_markdown(text)).strip()
    match = _SINGLE_PARAGRAPH.match(html)
    if match and "<p>" not in match.group(1):
        html = match.group(1)
    return mark_safe(html)  # sanitised by render_markdown
