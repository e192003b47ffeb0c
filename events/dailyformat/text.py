"""Text rules shared by the parser and the writer, so that an export re-imports to itself.

Values are Markdown. The parser turns lines into values with `assemble`; the writer passes every
value through `canonical` (the same rules) and `escape_line_starts`, which protects lines that
would otherwise read as a new item or a field label. The parser undoes that escaping.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .labels import FIELD_LABELS

#: Escapes other tools write but the renderer does not need: `\$10` is stored as `$10`.
#: Escapes that do matter to Markdown (`\*`, `\_`, `\#` …) are kept as written.
UNNEEDED_ESCAPE = re.compile(r"\\([$%&@^~=])")

# The Markdown export writes an item as a "### 1. title" heading; the plain format as "1. title".
ITEM_START = re.compile(r"^(?:#{1,6}\s+)?(?P<n>\d{1,3})[.．、)]\s*(?P<rest>.*)$")
ESCAPED_ITEM_START = re.compile(r"^(\s*(?:#{1,6}\s+)?\d{1,3})\\([.．、)])")
_LABELS = "|".join(re.escape(label) for label in sorted(FIELD_LABELS, key=len, reverse=True))
FIELD_START = re.compile(rf"^(\s*(?:{_LABELS})\s*)([:：])", re.IGNORECASE)
ESCAPED_FIELD_START = re.compile(rf"^(\s*(?:{_LABELS})\s*)\\([:：])", re.IGNORECASE)

#: How a finished sentence or clause may end; a paragraph ending otherwise was cut short.
TERMINAL = set("。！？；：…」』”’\"')）]】》.!?;:")
#: Lines that are Markdown structure (lists, quotes, headings, tables, code), never cut prose.
STRUCTURE = re.compile(r"^\s*([-*+>#|`]|\d+[.)]\s)")


@dataclass(frozen=True)
class Diagnostic:
    """A warning or error about one line of the input (1-based)."""

    line: int
    message: str

    def __str__(self):
        return f"{self.line}: {self.message}"


def unescape(text: str) -> str:
    """Drop Markdown escapes that change nothing (`\\$` → `$`)."""
    return UNNEEDED_ESCAPE.sub(r"\1", text)


def unescape_line_start(line: str) -> str:
    """Undo the writer's protection of a line that looks like an item or a field label."""
    line = ESCAPED_ITEM_START.sub(r"\1\2", line)
    return ESCAPED_FIELD_START.sub(r"\1\2", line)


def escape_line_starts(text: str, *, items: bool) -> str:
    """Protect lines of a value that the parser would read as a field (or, in lists, an item)."""
    lines = []
    for line in text.split("\n"):
        line = FIELD_START.sub(r"\1\\\2", line)
        if items:
            line = re.sub(r"^(\s*(?:#{1,6}\s+)?\d{1,3})([.．、)])", r"\1\\\2", line)
        lines.append(line)
    return "\n".join(lines)


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _cut_short(previous: str, following: str) -> bool:
    """True when a blank line split one paragraph in two.

    The seed's 商业与应用解读 has "对大模型公司而言，2026-04-08", a blank line, then
    "之前一周最明确的信号是：…": the first part ends mid-clause (no sentence punctuation) and the
    second starts mid-sentence (a CJK character or a lower-case letter, not a capital, digit or
    Markdown marker). Both conditions must hold, and neither line may be Markdown structure, so a
    list, a quote or a heading followed by prose is never merged.
    """
    if not previous or not following:
        return False
    if STRUCTURE.match(previous) or STRUCTURE.match(following):
        return False
    if previous[-1] in TERMINAL:
        return False
    first = following.lstrip()[:1]
    return bool(first) and (_is_cjk(first) or first.islower())


def _joiner(previous: str, following: str) -> str:
    return "" if _is_cjk(previous[-1]) and _is_cjk(following.lstrip()[0]) else " "


def assemble(lines: list[tuple[int, str]]) -> tuple[str, list[Diagnostic]]:
    """Lines (number, text) → one Markdown value: paragraphs joined by one blank line.

    Runs of blank lines count as one; trailing spaces go; a paragraph cut in two is rejoined
    (with a warning on the line where it was cut).
    """
    paragraphs: list[list[tuple[int, str]]] = [[]]
    for number, text in lines:
        text = text.rstrip()
        if not text.strip():
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        paragraphs[-1].append((number, unescape(unescape_line_start(text))))
    paragraphs = [p for p in paragraphs if p]
    warnings = []
    merged: list[list[tuple[int, str]]] = []
    for paragraph in paragraphs:
        if merged and _cut_short(merged[-1][-1][1], paragraph[0][1]):
            number, previous = merged[-1][-1]
            following = paragraph[0][1].lstrip()
            merged[-1][-1] = (number, previous + _joiner(previous, following) + following)
            merged[-1].extend(paragraph[1:])
            warnings.append(
                Diagnostic(number, _("这一段被空行截断，已与下一段合并为一段。请核对。"))
            )
        else:
            merged.append(list(paragraph))
    text = "\n\n".join("\n".join(line for _n, line in p) for p in merged)
    return text.strip(), warnings


def canonical(text: str) -> str:
    """A stored value in the form an import would give it (the writer's input)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    value, _warnings = assemble(list(enumerate(text.split("\n"), start=1)))
    return value


def one_line(text: str) -> str:
    """A single-line value (titles, labels): newlines become spaces."""
    return " ".join(unescape(text or "").split())
