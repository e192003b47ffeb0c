"""Daily-format text → plain typed values with line numbers. Knows nothing of models.

`parse(text)` returns a ParsedIssue (with its warnings) or raises DailyFormatError listing every
error found, each with its line number. The header lines (title, date line, coverage window)
are read by `header`; the values returned are declared in `parsed`.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sources.inference import is_social_url

from ..sections import BY_RELATION
from . import labels
from .citations import parse_sources
from .header import DATE, TITLE_HEADING, read_header, read_title, valid_date
from .parsed import (
    DailyFormatError,
    ParsedConclusion,
    ParsedEvent,
    ParsedIssue,
    ParsedPaper,
    ParsedSignal,
)
from .text import ITEM_START, Diagnostic, assemble, one_line

TITLE_SPLIT = re.compile(r"\s*[:：]\s*")
ARXIV_ABS = re.compile(r"^https?://(?:www\.)?arxiv\.org/abs/(?P<id>[^/?#\s]+)", re.IGNORECASE)
#: Characters a section heading never contains; a short line without them, standing alone
#: between blank lines, is taken for a heading.
NOT_IN_HEADINGS = set("。，、；：:,;.!?！？()（）「」“”\"'|<>[]{}【】《》@#*=+-/\\`$%&~_")
MAX_BYTES = 2 * 1024 * 1024
NEWLINE = re.compile(r"\r\n|\r|\n")
#: C0 controls other than tab (PostgreSQL refuses NUL in text; none belongs in an issue).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class _Section:
    key: str
    line: int
    count: int | None
    body: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _RawItem:
    number: int
    line: int
    title: str
    fields: dict = field(default_factory=dict)  # key → (line, [(number, text)])


def decode(data: bytes) -> str:
    """File bytes → text; a byte-order mark is dropped, bad UTF-8 is an error on its line."""
    if len(data) > MAX_BYTES:
        raise DailyFormatError(
            [Diagnostic(1, _("文件太大（最多 %(max)d KB）。") % {"max": MAX_BYTES // 1024})]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DailyFormatError([Diagnostic(line, _("这一行不是 UTF-8 编码的文字。"))]) from None


def parse(text: str) -> ParsedIssue:
    """Parse the daily format (Chinese or English labels); raises DailyFormatError."""
    return _Parser().run(text)


class _Parser:
    def __init__(self):
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.votes = {labels.ZH: 0, labels.EN: 0}

    def error(self, line, message):
        self.errors.append(Diagnostic(line, message))

    def warn(self, line, message):
        self.warnings.append(Diagnostic(line, message))

    def run(self, text: str) -> ParsedIssue:
        # Split on newlines only (not str.splitlines' form feeds and U+2028), so line numbers
        # match what the analyst's editor shows.
        raw = NEWLINE.split(text.lstrip("\ufeff"))
        lines = [(n, line.rstrip()) for n, line in enumerate(raw, 1)]
        for number, line in lines:
            if CONTROL.search(line):
                self.error(number, _("这一行含有不可见的控制字符，请删除后再导入。"))
        header, sections = self._split(lines)
        issue = ParsedIssue()
        first_heading = min((s.line for s in sections.values()), default=len(lines) or 1)
        read_header(self, issue, header, first_heading)
        for section in sections.values():
            if section.key in ("overview", "business"):
                name = "overview" if section.key == "overview" else "business_analysis"
                setattr(issue, name, self._paragraphs(section.body))
                setattr(issue, f"{name}_line", section.line)
            elif section.key == "conclusions":
                issue.conclusions = self._conclusions(section)
            else:
                self._items(issue, section)
        if "conclusions" not in sections or len(issue.conclusions) != 3:
            where = sections["conclusions"].line if "conclusions" in sections else issue.date_line
            self.warn(
                where,
                _("今日三条结论应有三条，这里有 %(count)d 条；提交审核前请补齐。")
                % {"count": len(issue.conclusions)},
            )
        issue.language = labels.EN if self.votes[labels.EN] > self.votes[labels.ZH] else labels.ZH
        issue.title = read_title(self, issue)
        issue.warnings = sorted(self.warnings, key=lambda d: d.line)
        if self.errors:
            raise DailyFormatError(sorted(self.errors, key=lambda d: d.line), issue.warnings)
        return issue

    # --- structure -------------------------------------------------------------------------

    def _split(self, lines):
        header, sections, current = [], {}, None
        for index, (number, text) in enumerate(lines):
            found = labels.match_heading(text) if text.strip() else None
            if found:
                key, language, count = found
                self.votes[language] += 1
                current = _Section(key, number, count)
                if key in sections:
                    self.error(number, _("栏目“%(title)s”出现了两次。") % {"title": text.strip()})
                else:
                    sections[key] = current
                continue
            if current is None:
                header.append((number, text))
                continue
            if self._looks_like_heading(lines, index):
                self.error(
                    number,
                    _("未知的栏目“%(title)s”。可用的栏目：%(known)s。")
                    % {"title": text.strip(), "known": _known_sections()},
                )
            current.body.append((number, text))
        return header, sections

    @staticmethod
    def _looks_like_heading(lines, index) -> bool:
        text = TITLE_HEADING.sub("", lines[index][1].strip())
        alone = (index == 0 or not lines[index - 1][1].strip()) and (
            index + 1 == len(lines) or not lines[index + 1][1].strip()
        )
        return (
            alone
            and 0 < len(text) <= 24
            and not text[0].isdigit()
            and not NOT_IN_HEADINGS.intersection(text)
            and labels.match_field(text) is None
        )

    # --- sections --------------------------------------------------------------------------

    def _paragraphs(self, body) -> str:
        for index, (number, text) in enumerate(body):
            starts_paragraph = index == 0 or not body[index - 1][1].strip()
            if starts_paragraph and labels.match_field(text):
                self._field_outside_item(number, text)
        value, warnings = assemble(body)
        self.warnings += warnings
        return value

    def _field_outside_item(self, number, text):
        label = _label_of(text)
        self.error(
            number,
            _("字段“%(label)s”不在任何条目里；条目以“1. 标题”这样的编号行开头。")
            % {"label": label},
        )

    def _numbered(self, section, *, what):
        """Group a list section's lines under its numbered lines: [_RawItem]."""
        items: list[_RawItem] = []
        for number, text in section.body:
            if not text.strip():
                if items:
                    self._append(items[-1], number, "")
                continue
            start = ITEM_START.match(text.strip())
            found = labels.match_field(text)
            if start and start["rest"]:
                expected = len(items) + 1
                if int(start["n"]) != expected:
                    self.warn(
                        number,
                        _("编号是 %(n)s，但这是第 %(expected)d 条；已按出现顺序编号。")
                        % {"n": start["n"], "expected": expected},
                    )
                # A conclusion's further lines are its text; an item's belong to its fields.
                fields = {"_": (number, [])} if what == "conclusions" else {}
                items.append(_RawItem(int(start["n"]), number, start["rest"], fields))
            elif start:
                self.error(number, _("编号后面缺少标题。"))
            elif found and (not items or what == "conclusions"):
                self._field_outside_item(number, text)
            elif found:
                key, language, value = found
                self.votes[language] += 1
                if key not in labels.SECTION_FIELDS[section.key]:
                    self.error(
                        number,
                        _("“%(label)s”不是这个栏目的字段。") % {"label": _label_of(text)},
                    )
                elif key in items[-1].fields:
                    self.error(number, _("这一条里“%(label)s”出现了两次。") % {"label": key})
                else:
                    items[-1].fields[key] = (number, [(number, value)])
            elif items:
                self._append(items[-1], number, text)
            else:
                self.error(
                    number,
                    _("这段文字不属于任何条目；条目以“1. 标题”这样的编号行开头。"),
                )
        return items

    def _append(self, item, number, text):
        if item.fields:
            list(item.fields.values())[-1][1].append((number, text))
        elif text.strip():
            self.warn(number, _("标题换行了，已接到上一行的标题后面。"))
            item.title = f"{item.title} {text.strip()}"

    def _conclusions(self, section):
        conclusions = []
        for position, raw in enumerate(self._numbered(section, what="conclusions"), 1):
            lines = [(raw.line, raw.title), *raw.fields.get("_", (0, []))[1]]
            text, warnings = assemble(lines)
            self.warnings += warnings
            conclusions.append(ParsedConclusion(position, text, raw.line))
        return conclusions

    def _items(self, issue, section):
        raws = self._numbered(section, what=section.key)
        # Only a heading that carries a count ("Top 5") can disagree with the items below it.
        if section.count is not None and section.count != len(raws):
            self.warn(
                section.line,
                _("标题写的是 Top %(n)d，但下面有 %(count)d 条大事件。")
                % {"n": section.count, "count": len(raws)},
            )
        # Each kind's builder is the method named after its key (_event, _signal, _paper).
        build = getattr(self, f"_{BY_RELATION[section.key].key}")
        target = getattr(issue, section.key)
        for rank, raw in enumerate(raws, 1):
            values = {}
            sources = []
            for key, (line, lines) in raw.fields.items():
                if key == "sources":
                    sources = self._sources(line, lines)
                else:
                    values[key], warnings = assemble(lines)
                    self.warnings += warnings
            if not sources:
                self.warn(raw.line, _("这一条没有来源。"))
            target.append(build(rank, raw, values, sources))

    def _sources(self, line, lines):
        # A list wrapped onto the next lines is one list; prose after a blank line would be
        # lost (sources are the item's last field), so it is an error on its first line.
        value, stray = [], None
        for number, text in lines:
            if not text.strip():
                stray = stray or "blank"
            elif stray == "blank":
                stray = number
            elif stray is None:
                value.append(text.strip())
        if isinstance(stray, int):
            self.error(
                stray,
                _("来源列表之后的这段文字不属于任何字段；新的条目以“编号. 标题”开头。"),
            )
        sources, warnings, errors = parse_sources(" ".join(value), line)
        self.warnings += warnings
        self.errors += errors
        return sources

    def _event(self, rank, raw, values, sources):
        dates = (valid_date(d) for d in re.findall(DATE, values.get("what_happened", "")))
        return ParsedEvent(
            rank=rank,
            line=raw.line,
            title=one_line(raw.title),
            occurred_on=next((d for d in dates if d), None),
            sources=sources,
            **values,
        )

    def _split_title(self, raw, what):
        parts = TITLE_SPLIT.split(one_line(raw.title), maxsplit=1)
        if len(parts) == 2 and parts[0] and parts[1]:
            return parts
        self.warn(raw.line, _("%(what)s的标题应写成“名称：一句话”，缺少冒号。") % {"what": what})
        return [one_line(raw.title), ""]

    def _signal(self, rank, raw, values, sources):
        handle, headline = self._split_title(raw, _("社交信号"))
        post = next((s.url for s in sources if is_social_url(s.url)), "")
        return ParsedSignal(
            rank, raw.line, handle, headline, post_url=post, sources=sources, **values
        )

    def _paper(self, rank, raw, values, sources):
        name, headline = self._split_title(raw, _("论文"))
        arxiv = next((s for s in sources if ARXIV_ABS.match(s.url)), None)
        url = arxiv.url if arxiv else (sources[0].url if sources else "")
        return ParsedPaper(
            rank,
            raw.line,
            name,
            headline,
            arxiv_id=ARXIV_ABS.match(arxiv.url)["id"] if arxiv else "",
            url=url,
            sources=sources,
            **values,
        )


def _label_of(text: str) -> str:
    return re.split(r"\s*[:：]", text.strip(), maxsplit=1)[0]


def _known_sections() -> str:
    return "、".join(labels.SECTIONS[key][labels.ZH].format(n="N") for key in labels.SECTION_ORDER)
