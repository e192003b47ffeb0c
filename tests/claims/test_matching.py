"""The matcher: scaling, currencies, bounds, ranges, and context choosing the right passage."""

import pytest

from claims.checking import SourceText, Status, check
from claims.figures import extract
from claims.matching import Passage, best_match, claim_terms


def verdict(claim_text, page, *, field_text=None):
    field_text = field_text or claim_text
    (result,) = [
        v
        for v in check([("key_facts", field_text)], [SourceText("u", page)], default_year=2026)
        if claim_text in v.figure.text or v.figure.text in claim_text
    ]
    return result


@pytest.mark.parametrize(
    ("claim", "page"),
    [
        ("1220 亿美元", "a round of $122 billion"),
        ("1220 亿美元", "a round of US$122bn"),
        ("1220 亿美元", "a round of 122 billion US dollars"),
        ("$122 billion", "完成 1220 亿美元融资"),
        ("1.2 万亿", "valued at 1.2 trillion"),
        ("38.6 亿元", "raised RMB 3.86 billion"),
        ("110 亿英镑", "up to £11 billion... and also exactly 11 billion pounds"),
        ("€20 billion", "设立 200 亿欧元基金"),
        ("12 万张", "up to 120,000 GPUs; the site holds 120,000 GPUs"),
        ("四年", "over four years"),
        ("94%", "94 percent of companies"),
        ("百分之九十四", "94% of companies"),
        ("2026-03-31", "San Francisco, March 31, 2026 —"),
        ("3 月 31 日", "published 31 March 2026"),
        ("2026 年 3 月", "as of March 2026"),
    ],
)
def test_a_figure_is_found_across_scales_languages_and_symbols(claim, page):
    assert verdict(claim, page).status == Status.SUPPORTED


@pytest.mark.parametrize(
    ("claim", "page", "why"),
    [
        ("1200 亿美元", "a round of $122 billion", "a digit"),
        ("1220 万美元", "a round of $122 billion", "亿 written as 万"),
        ("1220 亿英镑", "a round of $122 billion", "the currency"),
        ("1220 亿元", "a round of $122 billion", "dollars are not yuan"),
        ("30 亿美元", "more than 3 billion US dollars", "a lower bound made exact"),
        ("12 万张", "up to 120,000 GPUs", "an upper bound made exact"),
        ("2026-03-30", "March 31, 2026", "the day"),
        ("五年", "over four years", "the number of years"),
        ("4 个月", "over four years", "months are not years"),
        ("95%", "94 percent of companies", "a digit"),
    ],
)
def test_a_slip_in_the_figure_is_unsupported(claim, page, why):
    assert verdict(claim, page).status == Status.UNSUPPORTED, why


def test_approximate_claims_allow_a_tenth_either_way():
    assert verdict("约 20 亿美元", "about $2.1 billion").status == Status.SUPPORTED
    assert verdict("约 20 亿美元", "about $1.9 billion").status == Status.SUPPORTED
    assert verdict("约 20 亿美元", "about $2.5 billion").status == Status.UNSUPPORTED


def test_a_lower_bound_is_borne_out_by_the_same_bound_or_a_figure_just_above_it():
    assert verdict("超过 30 亿美元", "more than $3 billion").status == Status.SUPPORTED
    assert verdict("超过 30 亿美元", "they put in $3.4 billion").status == Status.SUPPORTED
    # A far larger figure on the page is not what "more than 3 billion" was about.
    assert verdict("超过 30 亿美元", "valued at $852 billion").status == Status.UNSUPPORTED
    assert verdict("超过 30 亿美元", "exactly $3 billion").status == Status.UNSUPPORTED


def test_an_upper_bound_is_borne_out_by_the_same_bound_or_a_figure_just_below_it():
    assert verdict("不到 1%", "scored below 1%").status == Status.SUPPORTED
    assert verdict("不到 1%", "scored 0.8%").status == Status.SUPPORTED
    assert verdict("不到 1%", "scored 1.4%").status == Status.UNSUPPORTED


def test_a_range_covers_the_step_of_its_last_digit():
    assert verdict("3000多家", "3,400 companies").status == Status.SUPPORTED
    assert verdict("3000多家", "more than 3,000 companies").status == Status.SUPPORTED
    assert verdict("3000多家", "4,100 companies").status == Status.UNSUPPORTED
    assert verdict("30 多亿美元", "$3.6 billion").status == Status.SUPPORTED


def test_context_prefers_the_passage_about_the_same_thing():
    page = (
        "The company has 1,000 employees in Tokyo.\n"
        "It now serves more than 1,000 business customers worldwide."
    )
    result = verdict("超过 1000 家", page, field_text="企业客户超过 1000 家")
    assert result.status == Status.SUPPORTED
    assert result.passage.exact.startswith("more than 1,000 business customers")


def test_a_copyright_year_or_a_footnote_index_is_not_the_figure():
    page = "Agents beat the baseline on some tasks.[12]\n© 2025 Example Media"
    assert verdict("12 项", page, field_text="在 12 项评估中超过基线").status == Status.UNSUPPORTED
    assert verdict("2025 年", page, field_text="于 2025 年完成").status == Status.UNSUPPORTED


def test_a_bare_number_needs_a_word_in_common_with_the_claim():
    page = "Agents beat the baseline in 1 of 15 evaluations. See table 1."
    field = "agent 只在 15 项评估中的 1 项上超过基线"
    assert verdict("1 项", page, field_text=field).status == Status.SUPPORTED
    assert verdict("15 项", page, field_text=field).passage.exact == "15 evaluations"


def test_a_count_must_name_what_the_page_counts():
    page = "The fund will finance five AI gigafactories; more than 60 proposals are expected."
    assert (
        verdict("4 份以上", page, field_text="预计收到 4 份以上提案").status == Status.UNSUPPORTED
    )


def test_the_passage_is_a_text_quote_with_its_offsets():
    page = "OpenAI announced 122 billion US dollars in committed capital."
    result = verdict("1220 亿美元", page)
    passage = result.passage
    assert (passage.exact, passage.prefix, passage.suffix) == (
        "122 billion US dollars",
        "OpenAI announced ",
        " in committed capital.",
    )
    assert page[passage.start : passage.end] == passage.exact


def test_the_text_fragment_escapes_what_the_fragment_syntax_reserves():
    passage = Passage("US$1-2 billion, or so", "raised about ", "", 0, 0)
    assert passage.fragment() == "#:~:text=raised%20about-,US%241%2D2%20billion%2C%20or%20so"
    assert Passage("1220 亿美元", "完成", "", 0, 0).fragment() == (
        "#:~:text=1220%20%E4%BA%BF%E7%BE%8E%E5%85%83"
    )


def test_without_a_capture_every_figure_is_unverifiable():
    (result,) = check([("title", "完成 1220 亿美元融资")], [SourceText("u", None)])
    assert result.status == Status.UNVERIFIABLE
    assert check([("title", "完成 1220 亿美元融资")], [])[0].status == Status.UNVERIFIABLE


def test_best_match_scans_a_page_it_was_not_given_figures_for():
    (claim,) = extract("1220 亿美元")
    match = best_match(claim, claim_terms("融资 1220 亿美元", claim), "raised $122 billion")
    assert match.passage.exact == "$122 billion"


def test_a_date_the_text_lost_is_borne_out_by_the_page_date_of_the_capture():
    page = SourceText("u", "OpenAI closed a new round.", published="2026-03-31")
    (result,) = check([("what_happened", "OpenAI 于 2026-03-31 公布")], [page])
    assert result.status == Status.SUPPORTED
    assert (result.passage.exact, result.passage.start) == ("2026-03-31", None)
    (wrong,) = check([("what_happened", "OpenAI 于 2026-03-30 公布")], [page])
    assert wrong.status == Status.UNSUPPORTED
