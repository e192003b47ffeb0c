"""Checking an item's figures against the texts of the sources it cites. Pure Python.

The caller gives the item's factual fields and, for each cited source, the extracted text of
its latest successful capture (None when there is none); the result is one verdict per figure.
"""

from dataclasses import dataclass

from .dates import DateValue
from .figures import Figure, Kind, extract
from .matching import Match, Passage, best_match, claim_terms


class Status:
    SUPPORTED = "supported"
    UNSUPPORTED = "unsupported"  # a cited source was captured, and no passage states the figure
    UNVERIFIABLE = "unverifiable"  # no cited source has a successful capture


@dataclass(frozen=True)
class SourceText:
    """One cited source: its address, a key for the caller (the snapshot id) and its text."""

    url: str
    text: str | None
    key: object = None
    published: str | None = None  # the page's own date (its metadata), ISO, when known


@dataclass(frozen=True)
class Verdict:
    field: str
    figure: Figure
    status: str
    source: SourceText | None = None
    passage: Passage | None = None


class SourceIndex:
    """Each source text read once, however many claims look in it."""

    def __init__(self, sources: list[SourceText]):
        self.sources = list(sources)
        self.figures = {
            id(s): extract(s.text, lenient=True) for s in self.sources if s.text is not None
        }

    @property
    def captured(self) -> list[SourceText]:
        return [s for s in self.sources if s.text is not None]


def check_figure(field: str, field_text: str, figure: Figure, index: SourceIndex) -> Verdict:
    """One figure's verdict: the best passage over all captured sources, if any bears it out."""
    captured = index.captured
    if not captured:
        return Verdict(field, figure, Status.UNVERIFIABLE)
    terms = claim_terms(field_text, figure)
    best = None
    for source in captured:
        match = best_match(figure, terms, source.text, index.figures[id(source)])
        if match is not None and (best is None or match.score > best[1].score):
            best = (source, match)
    if best is None and figure.kind == Kind.DATE:
        best = _published_on(figure, captured)
    if best is None:
        return Verdict(field, figure, Status.UNSUPPORTED)
    return Verdict(field, figure, Status.SUPPORTED, best[0], best[1].passage)


def _published_on(figure: Figure, captured: list[SourceText]):
    """A source dated that day in its metadata: bylines rarely survive text extraction."""
    for source in captured:
        if source.published and figure.date.agrees_with(_date_value(source.published)):
            return source, Match(figure, Passage(source.published, "", "", None, None), 0)
    return None


def _date_value(iso: str) -> DateValue:
    year, month, day = (int(part) for part in iso.split("-"))
    return DateValue(year, month, day)


def check(fields, sources, *, default_year: int | None = None) -> list[Verdict]:
    """Every figure of `fields` ([(name, text)]) checked against `sources` ([SourceText])."""
    index = SourceIndex(sources)
    verdicts = []
    for name, text in fields:
        for figure in extract(text or "", default_year=default_year):
            verdicts.append(check_figure(name, text, figure, index))
    return verdicts
