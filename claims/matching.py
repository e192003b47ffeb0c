"""Finding a claim's figure in a source's text, or saying that no passage states it. Pure Python.

A claim and a candidate passage agree when their kinds agree (money with money in the same
currency, a count of years with a count of years), their values agree under both qualifiers
(the claim's interval must hold what the passage says: "超过 30 亿" is borne out by "more than
3 billion" but "30 亿" is not), and — for a bare number on the page — the words around it
share something with the claim's. The passage kept is a W3C TextQuoteSelector: exact text, a
prefix and a suffix, plus offsets.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from .figures import Figure, Kind, Qualifier, extract
from .lexicon import COUNTER_NOUNS, MEASURE_UNITS, context_terms, shares

QUOTE_CONTEXT = 32
CLAIM_WINDOW = 40
SOURCE_WINDOW = 120
#: "约" allows this relative distance either way.
APPROX_TOLERANCE = 0.1
#: "more than 30" is borne out by a stated 40, not by a stated 800: an unrelated figure would
#: otherwise confirm every lower bound on the page.
BOUND_REACH = 1.5
#: A footnote mark or a reference index, never a figure of the story.
NOISE = re.compile(r"(\[|\^|©|copyright ?|\(c\) ?|page ?|p\. ?|§ ?)$", re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    exact: str
    prefix: str
    suffix: str
    start: int | None  # None: the page's metadata, not its text
    end: int | None

    def as_selector(self) -> dict:
        return {"exact": self.exact, "prefix": self.prefix, "suffix": self.suffix}

    def fragment(self) -> str:
        """A `#:~:text=` fragment that makes a browser scroll to and highlight the passage."""
        part = _fragment_part(self.exact)
        words = self.prefix.split()
        if words and self.prefix.endswith((" ", "\n")):
            part = f"{_fragment_part(' '.join(words[-3:]))}-,{part}"
        return f"#:~:text={part}"


@dataclass(frozen=True)
class Match:
    figure: Figure
    passage: Passage
    score: int


def _fragment_part(text: str) -> str:
    return quote(" ".join(text.split()), safe="").replace("-", "%2D")


def _step(figure: Figure) -> float:
    """The width of "3000多": one unit of the last non-zero digit (1000 here)."""
    units = round(figure.value / figure.precision) if figure.precision else 0
    step = figure.precision
    while units and units % 10 == 0:
        units //= 10
        step *= 10
    return step


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance + 1e-9 * max(abs(a), abs(b), 1.0)


def values_agree(claim: Figure, passage: Figure) -> bool:
    """Whether what the passage states bears out the claim's value and qualifier."""
    c, p, q = claim.value, passage.value, passage.qualifier
    half = claim.precision / 2
    stated = q in (Qualifier.EXACT, Qualifier.APPROX)
    same_bound = _close(c, p, half)
    if claim.qualifier == Qualifier.EXACT:
        return stated and same_bound
    if claim.qualifier == Qualifier.APPROX:
        return _close(c, p, max(APPROX_TOLERANCE * abs(c), half))
    if claim.qualifier == Qualifier.LOWER:
        near = c < p <= c * BOUND_REACH
        return (q in (Qualifier.LOWER, Qualifier.RANGE) and same_bound) or (stated and near)
    if claim.qualifier == Qualifier.UPPER:
        near = c / BOUND_REACH <= p < c
        return (q == Qualifier.UPPER and same_bound) or (stated and near)
    top = c + _step(claim)  # a range: at least the figure, below its next step
    return (stated and c <= p < top) or (q in (Qualifier.LOWER, Qualifier.RANGE) and same_bound)


def kinds_agree(claim: Figure, passage: Figure) -> bool:
    """Same kind of figure, same currency, same unit of measure."""
    if claim.kind == Kind.MONEY and claim.unit is None and passage.kind == Kind.COUNT:
        return passage.unit not in MEASURE_UNITS  # "参数 700 亿" is a count its words name
    if claim.kind != passage.kind:
        return False
    if claim.kind == Kind.DATE:
        return claim.date.agrees_with(passage.date)
    if claim.kind == Kind.MONEY:
        return claim.unit is None or passage.unit in (claim.unit, None)
    if claim.kind == Kind.COUNT and (claim.unit in MEASURE_UNITS or passage.unit in MEASURE_UNITS):
        return claim.unit == passage.unit
    return True


def _score(claim: Figure, terms: set, passage: Figure, text: str) -> int:
    window = text[max(0, passage.start - SOURCE_WINDOW) : passage.end + SOURCE_WINDOW]
    score = shares(terms, context_terms(window))
    hints = COUNTER_NOUNS.get(claim.unit or "", ())
    noun = (passage.noun or passage.unit or "").lower()
    if noun and (any(h in noun for h in hints) or noun == (claim.unit or "").lower()):
        score += 2
    if claim.kind != Kind.DATE and _close(claim.value, passage.value, claim.precision / 2):
        score += 3
        if claim.qualifier == passage.qualifier:
            score += 1
    if claim.kind == Kind.MONEY and passage.unit and passage.unit == claim.unit:
        score += 1
    if passage.kind == Kind.DATE and claim.kind == Kind.DATE:
        score += 1 if passage.date.precision == claim.date.precision else 0
    return score


def nouns_agree(claim: Figure, terms: set, passage: Figure) -> bool:
    """A count names what it counts: "4 份提案" is not borne out by "five gigafactories"."""
    if claim.kind != Kind.COUNT or claim.unit in MEASURE_UNITS or not passage.noun:
        return True
    if claim.unit is None and not claim.noun:
        return True  # "上下文窗口 12.8 万": nothing named to compare
    noun = passage.noun.lower()
    if any(hint in noun for hint in COUNTER_NOUNS.get(claim.unit or "", ())):
        return True
    own = context_terms(claim.noun) | ({claim.unit.lower()} if claim.unit else set())
    return shares(terms | own, context_terms(passage.noun)) > 0


def _noise(text: str, figure: Figure) -> bool:
    before = text[max(0, figure.start - 10) : figure.start]
    return bool(NOISE.search(before)) or text[figure.end : figure.end + 1] == "]"


def claim_terms(field_text: str, claim: Figure) -> set:
    """The words around a claim in its field, the figure itself left out."""
    before = field_text[max(0, claim.start - CLAIM_WINDOW) : claim.start]
    after = field_text[claim.end : claim.end + CLAIM_WINDOW]
    return context_terms(f"{before} {after}")


def passage_for(text: str, start: int, end: int) -> Passage:
    return Passage(
        exact=text[start:end],
        prefix=text[max(0, start - QUOTE_CONTEXT) : start],
        suffix=text[end : end + QUOTE_CONTEXT],
        start=start,
        end=end,
    )


def best_match(claim: Figure, terms: set, text: str, figures: list | None = None) -> Match | None:
    """The passage of `text` that best bears out the claim, or None when none does."""
    if figures is None:
        figures = extract(text, lenient=True)
    best = None
    for candidate in figures:
        if not kinds_agree(claim, candidate) or not nouns_agree(claim, terms, candidate):
            continue
        if claim.kind != Kind.DATE and not values_agree(claim, candidate):
            continue
        score = _score(claim, terms, candidate, text)
        if candidate.weak and (score < 1 or _noise(text, candidate)):
            continue  # a bare number with nothing in common with the claim
        if claim.kind == Kind.MONEY and candidate.unit is None and claim.unit and score < 2:
            continue
        if best is None or score > best.score:
            passage = passage_for(text, candidate.start, candidate.end)
            best = Match(candidate, passage, score)
    return best
