"""Dates as written in either language, to a day, a month or a year. No Django imports.

`2026-03-31`, `2026 年 3 月 31 日`, `3 月 31 日`, `March 31, 2026`, `Mar. 31`, `31 March 2026`,
`March 2026`, `2027 年`, "from 2027". A date without its year takes the issue's year when the
caller knows it; otherwise it stays year-less and matches any year.
"""

import re
from dataclasses import dataclass

from .lexicon import MONTH_PATTERN, MONTHS


@dataclass(frozen=True)
class DateValue:
    year: int | None
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        """ISO 8601, at the precision written: 2026-03-31, 2026-03, 2026, or --03-31."""
        year = f"{self.year:04d}" if self.year else "-"
        if self.month is None:
            return year
        if self.day is None:
            return f"{year}-{self.month:02d}"
        return f"{year}-{self.month:02d}-{self.day:02d}"

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def agrees_with(self, other: "DateValue") -> bool:
        """Same date at this one's precision; a missing year agrees with any year."""
        if self.year and other.year and self.year != other.year:
            return False
        if self.month is not None and other.month != self.month:
            return False
        return self.day is None or other.day == self.day


ISO = re.compile(r"(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
CN_FULL = re.compile(r"(?<![\d.])(?:(\d{4}) ?年 ?)?(\d{1,2}) ?月(?: ?(\d{1,2}) ?[日号])?")
CN_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d) ?年(?! ?\d{1,2} ?月)")
EN_MDY = re.compile(
    rf"\b({MONTH_PATTERN})\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?(?![\d:])"
)
EN_DMY = re.compile(rf"(?<![\d.])(\d{{1,2}}) ({MONTH_PATTERN})\.?(?:,? (\d{{4}}))?(?!\d)")
EN_MY = re.compile(rf"\b({MONTH_PATTERN})\.?,? (\d{{4}})(?!\d)")
EN_YEAR = re.compile(r"(?<![\w.\-/$£€,])((?:19|20)\d\d)(?![\w\-%,.]\d|[\w%])")
#: Words before a bare year that make it a date in an item ("from 2027", "through 2031").
YEAR_CUE = re.compile(
    r"\b(in|from|through|by|until|till|since|to|of|before|after|early|late|mid|end)[ -]$",
    re.IGNORECASE,
)
#: A bare year that says nothing about the claim: a copyright line.
NOT_A_DATE = re.compile(r"(©|\(c\)|copyright) ?$", re.IGNORECASE)


def _valid(year, month, day) -> bool:
    return (year is None or 1900 <= year <= 2100) and (
        month is None or (1 <= month <= 12 and (day is None or 1 <= day <= 31))
    )


def _int(value) -> int | None:
    return int(value) if value else None


def extract(text: str, *, default_year: int | None = None, lenient: bool = False) -> list:
    """Every date in `text` as a date Figure, earliest pattern wins where two overlap."""
    from .figures import Figure, Kind

    taken = bytearray(len(text) + 1)
    found = []

    def add(match, year, month=None, day=None, weak=False):
        if taken[match.start()] or taken[match.end() - 1] or not _valid(year, month, day):
            return
        if year is None and default_year:
            year = default_year
        taken[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
        found.append(
            Figure(
                text=match.group(),
                start=match.start(),
                end=match.end(),
                kind=Kind.DATE,
                date=DateValue(year, month, day),
                weak=weak,
            )
        )

    for m in ISO.finditer(text):
        add(m, int(m[1]), int(m[3]), int(m[4]))
    for m in CN_FULL.finditer(text):
        add(m, _int(m[1]), int(m[2]), _int(m[3]))
    for m in CN_YEAR.finditer(text):
        add(m, int(m[1]))
    for m in EN_MDY.finditer(text):
        add(m, _int(m[3]), MONTHS[m[1]], int(m[2]))
    for m in EN_DMY.finditer(text):
        add(m, _int(m[3]), MONTHS[m[2]], int(m[1]))
    for m in EN_MY.finditer(text):
        add(m, int(m[2]), MONTHS[m[1]])
    for m in EN_YEAR.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if NOT_A_DATE.search(before):
            continue
        if lenient or YEAR_CUE.search(before):
            add(m, int(m[1]), weak=lenient and not YEAR_CUE.search(before))
    return found
