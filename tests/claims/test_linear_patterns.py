"""Every pattern of the normaliser is linear: hostile pages cost what normal ones do."""

import re
import time

try:
    from re import _parser as sre_parse
except ImportError:  # Python < 3.11
    import sre_parse

from claims import dates, figures, lexicon, matching
from claims.figures import extract

REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}


def _patterns():
    for module in (figures, dates, lexicon, matching):
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{module.__name__}.{name}", value


def _children(op, argument) -> list:
    """The sub-patterns under one node of the parsed pattern."""
    if op == sre_parse.SUBPATTERN:
        return [argument[-1]]
    if op == sre_parse.BRANCH:
        return list(argument[1])
    if op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
        return [argument[1]]
    return []


def _nested_repeat(tree, inside_unbounded=False) -> bool:
    for op, argument in tree:
        if op in REPEATS:
            _low, high, body = argument
            unbounded = high == sre_parse.MAXREPEAT or high > 20
            if inside_unbounded and (unbounded or high > 1):
                return True
            if _nested_repeat(body, inside_unbounded or unbounded):
                return True
        elif any(_nested_repeat(child, inside_unbounded) for child in _children(op, argument)):
            return True
    return False


def test_no_pattern_repeats_a_group_that_itself_repeats():
    checked = list(_patterns())
    assert len(checked) > 20
    nested = [name for name, pattern in checked if _nested_repeat(sre_parse.parse(pattern.pattern))]
    assert nested == []


def _cost(text: str) -> tuple[float, int]:
    """The best of three runs in this process's CPU time (other load does not count), and how
    many figures the text holds."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        found = extract(text, lenient=True)
        best = min(best, time.process_time() - started)
    return best, len(found)


NORMAL = (
    "OpenAI closed a round with 122 billion US dollars on March 31, 2026, at a valuation of "
    "852 billion US dollars. 公司月收入约 20 亿美元，超过 1000 家企业客户，94% 的企业。\n"
)


HOSTILE = ["1,", "1 ", "超过", "约 ", "March ", "一二三四五六七八九十", "2026-", "about more than "]


def _page(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def test_extraction_of_a_hostile_100kb_page_grows_linearly_and_near_a_normal_page():
    normal, normal_figures = _cost(_page(NORMAL, 100_000))
    for unit in HOSTILE:
        page, figures = _cost(_page(unit, 100_000))
        double, _ = _cost(_page(unit, 200_000))
        # A page of bare numbers ("1 1 1 …") really holds 50,000 figures, each of which is read:
        # it may cost what a normal page with that many figures costs, never much more. Twice the
        # text costs about twice as much (a backtracking pattern would cost four times or more).
        as_many_figures = normal * max(1.0, figures / normal_figures)
        assert page < as_many_figures * 15, unit
        assert double < page * 4 + 0.05, unit
