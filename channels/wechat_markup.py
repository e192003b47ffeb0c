"""Markdown → the HTML WeChat's editor keeps: inline styles, a few tags, links as footnotes.

WeChat strips `<style>`, `<script>`, classes and links to other sites, so nothing here relies on
them. The text is walked as markdown-it tokens (the parser events uses, with raw HTML off) and
written with a fixed set of tags, every piece of text escaped: what an analyst types can never
become markup. A link keeps its words, followed by a footnote marker `[n]`; its address is
written out in the closing 参考来源 list. Nested lists are flattened into one level.
"""

import re
from dataclasses import dataclass, field
from html import escape, unescape

from markdown_it import MarkdownIt

from events.rendering.markdown import MAX_NESTING

PARSER = MarkdownIt("commonmark", {"html": False, "maxNesting": 2 * MAX_NESTING + 4})
PARSER.validateLink = lambda url: True

#: The article's look, inline: WeChat keeps style attributes and nothing else.
STYLE = {
    "article": "font-size:15px;line-height:1.75;color:#222;",
    "p": "margin:0 0 10px;",
    "h2": "margin:24px 0 10px;padding-left:8px;border-left:4px solid #1a5fb4;"
    "font-size:17px;font-weight:bold;color:#1a5fb4;",
    "item": "margin:0 0 16px;padding:10px;background:#f6f8fa;",
    "item_title": "margin:0 0 6px;font-weight:bold;",
    "label": "color:#444;",
    "note": "display:block;padding:4px 8px;background:#fff8e1;font-size:14px;color:#6b4e00;",
    "marker": "font-size:12px;color:#1a5fb4;",
    "meta": "margin:0 0 16px;font-size:13px;color:#666;",
    "list": "margin:0 0 10px;padding-left:22px;",
    "li": "margin:0 0 4px;",
    "quote": "margin:0 0 10px;padding:4px 12px;border-left:3px solid #ccc;color:#555;",
    "code": "font-family:monospace;font-size:13px;background:#f0f0f0;",
    "line": "display:block;",
    "refs": "margin:0 0 4px;font-size:13px;color:#555;word-break:break-all;",
    "correction": "margin:0 0 16px;padding:8px 12px;border:1px solid #e0a800;background:#fffbea;",
}


def tag(name: str, style_key: str, inner: str) -> str:
    """An element with its inline style; `inner` must already be escaped markup."""
    return f'<{name} style="{STYLE[style_key]}">{inner}</{name}>'


@dataclass
class Footnotes:
    """The numbered sources of one article: the same URL keeps its first number."""

    entries: list[tuple[str, str]] = field(default_factory=list)
    _numbers: dict[str, int] = field(default_factory=dict)

    def number(self, label: str, url: str) -> int:
        if url not in self._numbers:
            self.entries.append((label or url, url))
            self._numbers[url] = len(self.entries)
        return self._numbers[url]

    def marker(self, label: str, url: str) -> str:
        return tag("span", "marker", f"[{self.number(label, url)}]")


#: WeChat's allowed tags have no <br>: an empty block span ends the line instead.
LINE_BREAK = '<span style="display:block;"></span>'
_TAGS = re.compile(r"<[^>]+>")
_INLINE_OPEN = {"strong_open": "<strong>", "em_open": '<span style="font-style:italic;">'}
_INLINE_CLOSE = {"strong_close": "</strong>", "em_close": "</span>"}


def inline(tokens, notes: Footnotes) -> str:
    """One paragraph's inline tokens as escaped text with strong/span and footnote markers."""
    out = []
    link = None  # (href, words so far) while inside a link
    for token in tokens or []:
        kind = token.type
        if kind == "link_open":
            link = (token.attrGet("href") or "", len(out))
        elif kind == "link_close" and link is not None:
            href, start = link
            words = "".join(out[start:])
            out.append(notes.marker(_plain(words), href) if _is_web(href) else "")
            link = None
        elif kind == "image":
            src = token.attrGet("src") or ""
            out.append(escape(token.content))
            if _is_web(src):
                out.append(notes.marker(token.content, src))
        elif kind in ("text", "html_inline"):
            out.append(escape(token.content))
        elif kind == "code_inline":
            out.append(tag("span", "code", escape(token.content)))
        elif kind in _INLINE_OPEN:
            out.append(_INLINE_OPEN[kind])
        elif kind in _INLINE_CLOSE:
            out.append(_INLINE_CLOSE[kind])
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append(LINE_BREAK)
    return "".join(out)


def _is_web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _plain(markup: str) -> str:
    """The words of a link for the reference list, as text (escaped again when written)."""
    return unescape(_TAGS.sub("", markup))


def blocks(text: str, notes: Footnotes) -> str:
    """Markdown paragraphs, lists, headings, quotes and code as WeChat-safe markup."""
    out = []
    lists = []  # the open lists' tags: nested items are written in the outermost one
    heading = False
    for token in PARSER.parse(text or ""):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            name = "ul" if kind.startswith("bullet") else "ol"
            if not lists:
                out.append(f'<{name} style="{STYLE["list"]}">')
            lists.append(name)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            name = lists.pop()
            if not lists:
                out.append(f"</{name}>")
        elif kind == "blockquote_open":
            out.append(f'<section style="{STYLE["quote"]}">')
        elif kind == "blockquote_close":
            out.append("</section>")
        elif kind in ("heading_open", "heading_close"):
            heading = kind == "heading_open"
        elif kind == "inline":
            content = inline(token.children, notes)
            if heading:
                content = f"<strong>{content}</strong>"
            out.append(tag("li", "li", content) if lists else tag("p", "p", content))
        elif kind in ("fence", "code_block"):
            lines = token.content.rstrip("\n").split("\n")
            code = "".join(tag("span", "line", escape(line)) for line in lines)
            out.append(tag("p", "p", tag("span", "code", code)))
    return "".join(out)
