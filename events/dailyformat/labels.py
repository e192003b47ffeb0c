"""The daily format's headings and field labels, in Chinese and English (DESIGN.md §2).

One table serves the parser (which accepts either language, case-insensitively for English)
and the writer (which uses the issue's language).
"""

import re

from ..sections import EN, ZH, page_order
from ..sections import SECTIONS as KINDS

#: the issue's own texts; the item sections' headings are in events/sections.py.
TEXT_HEADINGS = {
    "overview": {ZH: "今日总览", EN: "Overview"},
    "conclusions": {ZH: "今日三条结论", EN: "Three conclusions"},
    "business": {ZH: "商业与应用解读", EN: "Business analysis"},
}

#: section key → label per language, in page order. The events heading carries the count ("Top 5").
SECTIONS = {
    (part if isinstance(part, str) else part.relation): (
        TEXT_HEADINGS[part] if isinstance(part, str) else part.heading
    )
    for part in page_order()
}
SECTION_ORDER = tuple(SECTIONS)
ITEM_SECTIONS = tuple(kind.relation for kind in KINDS)

#: field key → labels per language; the first label of a list is the one the writer uses.
#: These fields are shared by several kinds; each kind's own are in its section entry.
FIELDS = {
    "verification_note": {ZH: ["验证状态"], EN: ["Verification"]},
    "one_line_take": {ZH: ["一句话判断"], EN: ["One-line take"]},
    "sources": {ZH: ["可信来源", "来源"], EN: ["Sources"]},
}
for _kind in KINDS:
    FIELDS.update(_kind.field_labels)

#: the fields of each item section, in the order the writer emits them.
SECTION_FIELDS = {kind.relation: kind.format_fields for kind in KINDS}

#: the sources label the writer uses per section: events say 可信来源, the others 来源.
SOURCES_LABEL = {kind.relation: kind.sources_label for kind in KINDS}

BRAND = {ZH: "AI前沿发展日报", EN: "AI Frontier Daily"}
DATE_LABEL = {ZH: "日期", EN: "Date"}
COVERAGE = {ZH: "覆盖窗口：重点核查 {start} 至 {end}", EN: "Coverage window: {start} to {end}"}
COLON = {ZH: "：", EN: ": "}
TIMEZONE = "Asia/Shanghai"


def _heading_pattern(label: str) -> str:
    return re.escape(label).replace(r"\{n\}", r"(?P<n>\d+)").replace(r"\ ", r"\s*")


#: (compiled pattern, section key, language) for every heading in both languages.
HEADING_PATTERNS = [
    (re.compile(rf"^#*\s*{_heading_pattern(label)}\s*$", re.IGNORECASE), key, language)
    for key, labels in SECTIONS.items()
    for language, label in labels.items()
]

#: lower-cased label → (field key, language)
FIELD_LABELS = {
    label.lower(): (key, language)
    for key, labels in FIELDS.items()
    for language, names in labels.items()
    for label in names
}
# Longest first, so 可信来源 wins over 来源.
FIELD_PATTERN = re.compile(
    r"^(?P<label>"
    + "|".join(re.escape(label) for label in sorted(FIELD_LABELS, key=len, reverse=True))
    + r")\s*[:：]\s*(?P<value>.*)$",
    re.IGNORECASE,
)


def match_heading(line: str):
    """(section key, language, count or None) when the line is a known heading, else None."""
    for pattern, key, language in HEADING_PATTERNS:
        found = pattern.match(line.strip())
        if found:
            count = found.groupdict().get("n")
            return key, language, int(count) if count is not None else None
    return None


def match_field(line: str):
    """(field key, language, value) when the line starts with a field label, else None."""
    found = FIELD_PATTERN.match(line.strip())
    if not found:
        return None
    key, language = FIELD_LABELS[found["label"].lower()]
    return key, language, found["value"]


def heading(section: str, language: str, count: int = 0) -> str:
    """The heading the writer emits for a section."""
    return SECTIONS[section][language].format(n=count)


def field_label(field: str, language: str, section: str = "") -> str:
    """The label the writer emits for a field."""
    if field == "sources":
        return SOURCES_LABEL[section][language]
    return FIELDS[field][language][0]
