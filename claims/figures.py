"""The figures a text states — money, counts, percentages, dates — normalised to comparable values.

`extract(text)` reads claims (only figures with a unit, a scale or a currency: a bare number in
an item is a name, like ARC-AGI-3 or Nikkei 225); `extract(text, lenient=True)` reads a source
page, where bare numbers count too ("1 of 15 evaluations") but are marked weak.

Every pattern here is linear: no quantified group holds another quantifier, and each number is
looked at through windows of bounded size, so a hostile 100 KB page costs what a normal one does.
No Django imports: this module is pure.
"""

import re
from dataclasses import dataclass

from . import dates, numbers
from .lexicon import (
    CN_COUNTERS,
    CN_NUMERAL_CHARS,
    CN_UNITS,
    CURRENCY_PREFIXES,
    CURRENCY_SUFFIXES,
    EN_NUMBERS,
    EN_STOPWORDS,
    EN_UNITS,
    MULTIPLIERS,
    TIME_UNITS,
)


class Kind:
    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"
    DATE = "date"


class Qualifier:
    EXACT = "exact"
    APPROX = "approx"  # 约, about
    LOWER = "lower"  # 超过, more than: the figure is a lower bound
    UPPER = "upper"  # 最多, up to: the figure is an upper bound
    RANGE = "range"  # 3000多: at least the figure, below the next step of its last digit


@dataclass
class Figure:
    """One figure as written (`text`, `start`, `end` in the text it was read from)."""

    text: str
    start: int
    end: int
    kind: str
    value: float | None = None
    precision: float = 1.0
    unit: str | None = None
    qualifier: str = Qualifier.EXACT
    date: dates.DateValue | None = None
    noun: str = ""  # the words after an English count: what it counts
    weak: bool = False  # a bare number on a source page: a match needs context

    @property
    def iso_date(self) -> str | None:
        return self.date.iso() if self.date else None


NUMBER = re.compile(r"(?<![A-Za-z0-9_.\-/])(?:\d[\d,.]*\d|\d)")
CN_NUMBER = re.compile(f"[{CN_NUMERAL_CHARS}]+")
EN_NUMBER = re.compile(r"\b(?:" + "|".join(EN_NUMBERS) + r")\b", re.IGNORECASE)
PERCENT_CN = re.compile(f"百分之([{CN_NUMERAL_CHARS}]+|\\d+(?:\\.\\d+)?)")

RANGE_MARK = re.compile(r" ?[多余]")
PLUS = re.compile(r"\+")
MULT_CN = re.compile(r" ?(万亿|千亿|百亿|亿|千万|百万|万)")
MULT_WORD = re.compile(r" ?(trillion|billion|million|thousand)\b", re.IGNORECASE)
MULT_ABBR = re.compile(r"(tn|bn|mn|[bBmMkK])(?![A-Za-z])")
CURRENCY = re.compile(
    r" ?(美元|美金|英镑|欧元|日元|港元|港币|人民币|元|U\.?S\.? dollars|dollars?|pounds sterling"
    r"|pounds?|sterling|euros?|yuan|renminbi|yen|USD|GBP|EUR|CNY|RMB|JPY)(?![A-Za-z])",
    re.IGNORECASE,
)
PERCENT = re.compile(r" ?(%|％|percent\b|per cent\b)", re.IGNORECASE)
CN_UNIT = re.compile(f" ?(个月|小时|分钟|吉瓦|兆瓦|千瓦|万人|亿人|[年天周秒倍{CN_COUNTERS}])")
EN_UNIT = re.compile(
    r"[ -]?(GW|MW|kW|gigawatts?|megawatts?|years?|months?|weeks?|days?|hours?|minutes|seconds"
    r"|times|fold)\b",
    re.IGNORECASE,
)
EN_WORD = re.compile(r" ([A-Za-z][A-Za-z-]*)")
PREFIX_CURRENCY = re.compile(r"(US ?\$|HK\$|\$|£|€|¥|￥|RMB ?|CNY ?|USD ?|GBP ?|EUR ?)$")
SUFFIX_QUALIFIER = re.compile(r" ?(左右|以上|以下|以内|or more|or less)")

_QUALIFIERS = {
    Qualifier.APPROX: "约合 约为 大约 约 将近 接近 近 about around approximately roughly nearly "
    "almost some ~",
    Qualifier.LOWER: "超过 超出 逾 高于 多于 超 不少于 至少 more_than over above in_excess_of "
    "exceeding at_least >",
    Qualifier.UPPER: "最多 最高 至多 不超过 不到 不足 低于 少于 up_to as_many_as as_much_as "
    "at_most no_more_than below under less_than fewer_than <",
}
QUALIFIER_WORDS = {
    word.replace("_", " "): kind for kind, words in _QUALIFIERS.items() for word in words.split()
}
# Matched against the text before the figure read backwards, anchored where the figure starts:
# one try per figure instead of a search through the window.
_QUALIFIER_ALTERNATION = "|".join(
    re.escape(w[::-1]) + (r"\b" if w.isascii() and w[0].isalpha() else "")
    for w in sorted(QUALIFIER_WORDS, key=len, reverse=True)
)
# 近 inside 最近 (recently) and 附近 (nearby) is not "nearly".
PREFIX_QUALIFIER_REVERSED = re.compile(
    rf" ?[\u4e00-\u9fff]{{0,2}}({_QUALIFIER_ALTERNATION})(?![最附])", re.IGNORECASE
)
SUFFIX_KINDS = {"左右": Qualifier.APPROX, "以上": Qualifier.LOWER, "or more": Qualifier.LOWER}
SUFFIX_KINDS |= {"以下": Qualifier.UPPER, "以内": Qualifier.UPPER, "or less": Qualifier.UPPER}


@dataclass
class _Reading:
    """A number being read: where it is, what it is worth, and what follows it."""

    start: int
    end: int
    value: float
    precision: float
    spelled: bool = False  # written in words (四, four), not digits


def extract(text: str, *, default_year: int | None = None, lenient: bool = False) -> list:
    """Every figure in `text`, in order of position."""
    found = dates.extract(text, default_year=default_year, lenient=lenient)
    taken = bytearray(len(text) + 1)
    for figure in found:
        taken[figure.start : figure.end] = b"\x01" * (figure.end - figure.start)
    for reading in _readings(text, taken):
        if taken[reading.start]:
            continue
        figure = _figure(text, reading, lenient=lenient)
        if figure is not None:
            taken[figure.start : figure.end] = b"\x01" * (figure.end - figure.start)
            found.append(figure)
    found.sort(key=lambda f: f.start)
    return found


def _readings(text: str, taken: bytearray):
    readings = []
    for match in PERCENT_CN.finditer(text):
        token = match.group(1)
        parsed = numbers.arabic(token) if token[0].isdigit() else numbers.chinese(token)
        if parsed and not taken[match.start()]:
            readings.append(_Reading(match.start(), match.end(), *parsed, spelled=True))
    for match in NUMBER.finditer(text):
        parsed = numbers.arabic(match.group())
        if parsed is None and "," in match.group():
            # "1,2" is a list, not a number: read up to the first separator
            parsed = numbers.arabic(match.group().split(",")[0])
            end = match.start() + len(match.group().split(",")[0])
        else:
            end = match.end()
        if parsed and not taken[match.start()]:
            readings.append(_Reading(match.start(), end, *parsed))
    for match in CN_NUMBER.finditer(text):
        parsed = numbers.chinese(match.group())
        if parsed and parsed[0] > 1 and not taken[match.start()]:
            if match.start() and text[match.start() - 1] in "第之":
                continue
            readings.append(_Reading(match.start(), match.end(), *parsed, spelled=True))
    for match in EN_NUMBER.finditer(text):
        if not taken[match.start()]:
            value = float(EN_NUMBERS[match.group().lower()])
            readings.append(_Reading(match.start(), match.end(), value, 1.0, spelled=True))
    readings.sort(key=lambda r: r.start)
    return readings


def _figure(text: str, reading: _Reading, *, lenient: bool) -> Figure | None:
    """Read the scale, unit and qualifiers around one number."""
    if text.startswith("百分之", reading.start):
        return _finish(text, reading, reading.end, Kind.PERCENT, "%", None, lenient=lenient)
    pos = reading.end
    currency = _prefix_currency(text, reading.start)
    range_mark = PLUS.match(text, pos) or RANGE_MARK.match(text, pos)
    if range_mark:
        pos = range_mark.end()
    scale, pos = _scale(text, pos, reading, money=currency is not None)
    value = reading.value * scale
    precision = reading.precision * scale
    kind, unit = None, None
    if currency is None and (match := CURRENCY.match(text, pos)):
        currency, pos = CURRENCY_SUFFIXES[match.group(1).lower().replace("u.s.", "us")], match.end()
    if currency is not None:
        kind, unit = Kind.MONEY, currency
    elif match := PERCENT.match(text, pos):
        kind, unit, pos = Kind.PERCENT, "%", match.end()
    elif match := CN_UNIT.match(text, pos):
        word = match.group(1)
        kind, unit, pos = Kind.COUNT, CN_UNITS.get(word, word), match.end()
    elif match := EN_UNIT.match(text, pos):
        kind, unit, pos = Kind.COUNT, EN_UNITS[match.group(1).lower()], match.end()
    elif scale >= 10**8 and not _counts_something(text, pos):
        kind = Kind.MONEY  # "1.2 万亿" with the currency left to the context
    reading.value, reading.precision = value, precision
    figure = _finish(text, reading, pos, kind, unit, currency, lenient=lenient, scaled=scale > 1)
    if figure is not None and range_mark:
        figure.qualifier = Qualifier.LOWER if range_mark.group() == "+" else Qualifier.RANGE
    return figure


def _scale(text: str, pos: int, reading: _Reading, *, money: bool) -> tuple[int, int]:
    match = MULT_CN.match(text, pos) or MULT_WORD.match(text, pos)
    if match is None and not reading.spelled:
        match = MULT_ABBR.match(text, pos)
        if match and match.group(1) in "mMkK" and not money and not CURRENCY.match(text, pos):
            match = None
    if match is None:
        return 1, pos
    return MULTIPLIERS[match.group(1).lower()], match.end()


def _counts_something(text: str, pos: int) -> bool:
    return bool(CN_UNIT.match(text, pos) or _noun(text, pos)[0])


def _prefix_currency(text: str, start: int) -> str | None:
    match = PREFIX_CURRENCY.search(text, max(0, start - 5), start)
    if match is None:
        return None
    return CURRENCY_PREFIXES[match.group(1).strip().lower().replace("us $", "us$")]


def _finish(text, reading, pos, kind, unit, currency, *, lenient, scaled=False) -> Figure | None:
    noun = ""
    if kind is None or (kind == Kind.COUNT and not reading.spelled):
        noun, noun_end = _noun(text, pos)
        if kind is None and noun:
            kind, unit, pos = Kind.COUNT, _unit_word(noun), noun_end
    weak = False
    if kind is None:
        if scaled:
            kind = Kind.COUNT
        elif lenient and text[reading.start].isdigit():
            kind, weak = Kind.COUNT, True
        else:
            return None
    # Number words count only with a measure (四年, four years), never as in "one of them".
    measured = unit is not None and (reading.spelled or unit in TIME_UNITS)
    if not text[reading.start].isdigit() and kind == Kind.COUNT and not lenient and not measured:
        return None
    start = _prefix_start(text, reading.start)
    qualifier, start, pos = _qualifier(text, start, pos, unit)
    return Figure(
        text=text[start:pos].strip(),
        start=start,
        end=pos,
        kind=kind,
        value=reading.value,
        precision=reading.precision,
        unit=unit,
        qualifier=qualifier,
        noun=noun,
        weak=weak,
    )


def _noun(text: str, pos: int) -> tuple[str, int]:
    """Up to three words after an English number: what it counts ("Blackwell Ultra GPUs")."""
    words, end = [], pos
    for _ in range(3):
        match = EN_WORD.match(text, end)
        if match is None or match.group(1).lower() in EN_STOPWORDS:
            break
        words.append(match.group(1))
        end = match.end()
    if words and not any(w[0].islower() or w.endswith("s") for w in words):
        return "", pos  # "2026 OpenAI", "4 Turbo": a name follows, not what is counted
    return " ".join(words), end


def _unit_word(noun: str) -> str:
    words = noun.split()
    plural = [w for w in words if w.endswith("s") and not w.endswith("ss") and len(w) > 2]
    return (plural[0] if plural else words[0]).lower()


def _prefix_start(text: str, start: int) -> int:
    match = PREFIX_CURRENCY.search(text, max(0, start - 5), start)
    return match.start() if match else start


def _qualifier(text: str, start: int, end: int, unit: str | None) -> tuple[str, int, int]:
    """The qualifier before (约, more than) or after (左右, 以上) the figure, and the new span."""
    qualifier = Qualifier.EXACT
    before = text[max(0, start - 24) : start][::-1]
    match = PREFIX_QUALIFIER_REVERSED.match(before)
    if match:
        word = match.group(1)[::-1].lower()
        # "over four years" is a duration, not a lower bound
        if not (word == "over" and unit in TIME_UNITS):
            qualifier = QUALIFIER_WORDS[word]
            start -= match.end()
    after = SUFFIX_QUALIFIER.match(text, end)
    if after:
        qualifier = SUFFIX_KINDS[after.group(1).lower()]
        end = after.end()
    return qualifier, start, end
