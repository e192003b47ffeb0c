"""What the parser returns: plain typed values with line numbers, and the error it raises."""

import datetime
from dataclasses import dataclass, field

from . import labels
from .citations import ParsedSource
from .text import Diagnostic


class DailyFormatError(Exception):
    """The text cannot be imported; `errors` says where and why (nothing was written)."""

    def __init__(self, errors, warnings=()):
        self.errors = list(errors)
        self.warnings = list(warnings)
        super().__init__("; ".join(str(error) for error in self.errors))


@dataclass
class ParsedConclusion:
    """One numbered conclusion."""

    position: int
    text: str
    line: int


@dataclass
class ParsedEvent:
    """One ranked event (今日 Top N 大事件); occurred_on is the first date in 发生了什么."""

    rank: int
    line: int
    title: str = ""
    occurred_on: datetime.date | None = None
    what_happened: str = ""
    key_facts: str = ""
    why_it_matters: str = ""
    implications: str = ""
    verification_note: str = ""
    sources: list[ParsedSource] = field(default_factory=list)


@dataclass
class ParsedSignal:
    """One social signal; post_url is its first x.com/twitter.com source."""

    rank: int
    line: int
    handle: str = ""
    headline: str = ""
    signal_type: str = ""
    verification_note: str = ""
    one_line_take: str = ""
    post_url: str = ""
    sources: list[ParsedSource] = field(default_factory=list)


@dataclass
class ParsedPaper:
    """One paper; arxiv_id and url come from its arxiv.org/abs/ source."""

    rank: int
    line: int
    name: str = ""
    headline: str = ""
    arxiv_id: str = ""
    url: str = ""
    what_it_does: str = ""
    what_is_new: str = ""
    applications: str = ""
    verification_note: str = ""
    one_line_take: str = ""
    sources: list[ParsedSource] = field(default_factory=list)


@dataclass
class ParsedIssue:
    """The whole file: header values, sections, items and the warnings found."""

    date: datetime.date | None = None
    date_line: int = 1
    title: str = ""
    title_line: int = 1
    language: str = labels.ZH
    coverage_start: datetime.date | None = None
    coverage_end: datetime.date | None = None
    coverage_note: str = ""
    coverage_note_line: int = 1
    overview: str = ""
    overview_line: int = 1
    business_analysis: str = ""
    business_analysis_line: int = 1
    conclusions: list[ParsedConclusion] = field(default_factory=list)
    events: list[ParsedEvent] = field(default_factory=list)
    signals: list[ParsedSignal] = field(default_factory=list)
    papers: list[ParsedPaper] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def sources(self) -> list[ParsedSource]:
        """Every citation in reading order (duplicates included)."""
        return [s for item in (*self.events, *self.signals, *self.papers) for s in item.sources]
