"""The header lines of the daily format: the title, the date line with its coverage window,
and the coverage note.

The functions report through the parser they are given (its `error`, `warn` and language
`votes`), so every problem in a file is listed with the others, in line order.
"""

import datetime
import re

from django.utils.translation import gettext as _

from . import labels
from .text import one_line

DATE = r"\d{4}-\d{1,2}-\d{1,2}"
DATE_LABEL = re.compile(r"^(?P<label>日期|date)\s*[:：]", re.IGNORECASE)
DATE_LINE = re.compile(
    rf"^(?:日期|date)\s*[:：]\s*(?P<date>{DATE})\s*(?:[(（][^)）]*[)）])?\s*"
    rf"(?:(?:覆盖窗口|coverage window)\s*[:：]\s*(?:重点核查\s*)?"
    rf"(?P<start>{DATE})\s*(?:至|到|to|~|–|—|-)\s*(?P<end>{DATE}))?\s*$",
    re.IGNORECASE,
)
TITLE_TIMEZONE = re.compile(r"\s*[(（][A-Za-z_]+/[A-Za-z_]+[)）]\s*$")
TITLE_HEADING = re.compile(r"^#{1,6}\s+")


def valid_date(value: str):
    """The date written as YYYY-M-D (zero padding optional), or None when there is none."""
    try:
        return datetime.date.fromisoformat("-".join(part.zfill(2) for part in value.split("-")))
    except ValueError:
        return None


def read_header(report, issue, header, first_heading) -> None:
    """Fill the issue's title, date, coverage window and note from the lines before the first
    section heading."""
    lines = [(n, t.strip()) for n, t in header if t.strip()]
    at = next((i for i, (_n, t) in enumerate(lines) if DATE_LABEL.match(t)), None)
    if at is None:
        report.error(
            lines[0][0] if lines else first_heading,
            _(
                "缺少日期行，例如“日期：2026-04-08 (Asia/Shanghai) 覆盖窗口：重点核查 "
                "2026-04-01 至 2026-04-08”。"
            ),
        )
        return
    before, (number, text), after = lines[:at], lines[at], lines[at + 1 :]
    issue.date_line = number
    if before:
        # The Markdown export writes the title as a "# " heading.
        issue.title_line, issue.title = before[0][0], TITLE_HEADING.sub("", before[0][1])
    for extra_number, _extra in before[1:] + after[1:]:
        report.error(extra_number, _("日期行前后只能有标题和一行覆盖说明；这一行无法识别。"))
    if after:
        issue.coverage_note_line, issue.coverage_note = after[0][0], one_line(after[0][1])
    report.votes[labels.ZH if text.startswith("日期") else labels.EN] += 1
    found = DATE_LINE.match(text)
    if not found:
        report.error(
            number,
            _("日期行无法识别，应写成“日期：YYYY-MM-DD 覆盖窗口：重点核查 开始 至 结束”。"),
        )
        return
    if not found["start"]:
        report.error(number, _("日期行缺少覆盖窗口（“覆盖窗口：重点核查 开始 至 结束”）。"))
    values = {key: found[key] for key in ("date", "start", "end") if found[key]}
    dates = {key: valid_date(value) for key, value in values.items()}
    for key, value in dates.items():
        if value is None:
            report.error(number, _("“%(value)s”不是有效的日期。") % {"value": values[key]})
    issue.date = dates.get("date")
    issue.coverage_start, issue.coverage_end = dates.get("start"), dates.get("end")
    if issue.coverage_start and issue.coverage_end and issue.coverage_start > issue.coverage_end:
        report.error(number, _("覆盖窗口的开始日期晚于结束日期。"))


def read_title(report, issue) -> str:
    """The title line, or "" when it is just the default "AI前沿发展日报 | date"."""
    title = one_line(TITLE_TIMEZONE.sub("", issue.title))
    if issue.date is not None:
        if issue.date.isoformat() not in title and title:
            report.warn(issue.title_line, _("标题行的日期与日期行不一致。"))
        defaults = {f"{brand} | {issue.date.isoformat()}" for brand in labels.BRAND.values()}
        if title in defaults:
            return ""
    return title
