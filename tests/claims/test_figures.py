"""The normaliser: every form of figure the briefing writes, in both languages."""

import pytest

from claims.figures import Kind, Qualifier, extract


def one(text, **kwargs):
    found = extract(text, default_year=2026, **kwargs)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "value", "currency", "qualifier"),
    [
        ("1220 亿美元", 122e9, "USD", Qualifier.EXACT),
        ("约 20 亿美元", 2e9, "USD", Qualifier.APPROX),
        ("超过 30 亿美元", 3e9, "USD", Qualifier.LOWER),
        ("逾 30 亿美元", 3e9, "USD", Qualifier.LOWER),
        ("110 亿英镑", 11e9, "GBP", Qualifier.EXACT),
        ("38.6 亿元", 3.86e9, "CNY", Qualifier.EXACT),
        ("$122 billion", 122e9, "USD", Qualifier.EXACT),
        ("$122B", 122e9, "USD", Qualifier.EXACT),
        ("US$852bn", 852e9, "USD", Qualifier.EXACT),
        ("£11 billion", 11e9, "GBP", Qualifier.EXACT),
        ("€20 billion", 20e9, "EUR", Qualifier.EXACT),
        ("122 billion dollars", 122e9, "USD", Qualifier.EXACT),
        ("1.2 万亿", 1.2e12, None, Qualifier.EXACT),
        ("RMB 3.86 billion", 3.86e9, "CNY", Qualifier.EXACT),
        ("about $2 billion", 2e9, "USD", Qualifier.APPROX),
        ("more than 3 billion US dollars", 3e9, "USD", Qualifier.LOWER),
        ("up to 11 billion pounds", 11e9, "GBP", Qualifier.UPPER),
        ("最高 110 亿英镑", 11e9, "GBP", Qualifier.UPPER),
        ("30 多亿美元", 3e9, "USD", Qualifier.RANGE),
        ("100 万元左右", 1e6, "CNY", Qualifier.APPROX),
    ],
)
def test_money_is_read_with_its_scale_currency_and_qualifier(text, value, currency, qualifier):
    figure = one(text)
    assert (figure.kind, figure.value, figure.unit, figure.qualifier) == (
        Kind.MONEY,
        pytest.approx(value),
        currency,
        qualifier,
    )
    assert figure.text == text


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("最多 12 万张 GPU", 120000, "张", Qualifier.UPPER),
        ("超过 1000 家", 1000, "家", Qualifier.LOWER),
        ("15 项评估", 15, "项", Qualifier.EXACT),
        ("120,000 GPUs", 120000, "gpus", Qualifier.EXACT),
        ("4 年", 4, "year", Qualifier.EXACT),
        ("四年", 4, "year", Qualifier.EXACT),
        ("four years", 4, "year", Qualifier.EXACT),
        ("1 GW", 1, "GW", Qualifier.EXACT),
        ("300 兆瓦", 300, "MW", Qualifier.EXACT),
        ("3000多家", 3000, "家", Qualifier.RANGE),
        ("1,000+ customers", 1000, "customers", Qualifier.LOWER),
        ("2,653 个测试实例", 2653, "个", Qualifier.EXACT),
        ("十二万张", 120000, "张", Qualifier.EXACT),
    ],
)
def test_counts_are_read_with_their_measure_word_or_noun(text, value, unit, qualifier):
    figure = one(text)
    assert (figure.kind, figure.value, figure.unit, figure.qualifier) == (
        Kind.COUNT,
        value,
        unit,
        qualifier,
    )


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("94%", 94, Qualifier.EXACT),
        ("94 percent", 94, Qualifier.EXACT),
        ("94 per cent", 94, Qualifier.EXACT),
        ("百分之九十四", 94, Qualifier.EXACT),
        ("约 26.5%", 26.5, Qualifier.APPROX),
        ("不到 1%", 1, Qualifier.UPPER),
        ("26.5％", 26.5, Qualifier.EXACT),
    ],
)
def test_percentages_in_both_languages(text, value, qualifier):
    figure = one(text)
    assert (figure.kind, figure.value, figure.unit, figure.qualifier) == (
        Kind.PERCENT,
        value,
        "%",
        qualifier,
    )


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-03-31", "2026-03-31"),
        ("3 月 31 日", "2026-03-31"),
        ("2026 年 3 月 31 日", "2026-03-31"),
        ("March 31, 2026", "2026-03-31"),
        ("Mar. 31", "2026-03-31"),
        ("31 March 2026", "2026-03-31"),
        ("March 2026", "2026-03"),
        ("2026 年 3 月", "2026-03"),
        ("2027 年", "2027"),
        ("through 2031", "2031"),
    ],
)
def test_dates_to_the_precision_written(text, iso):
    figure = one(text)
    assert figure.kind == Kind.DATE and figure.value is None
    assert figure.iso_date == iso


def test_a_date_without_its_year_stays_yearless_when_the_year_is_unknown():
    (figure,) = extract("3 月 31 日")
    assert figure.iso_date == "--03-31"


@pytest.mark.parametrize(
    "text",
    [
        "多吉瓦级 TPU 容量",
        "ARC-AGI-3 基准",
        "GPT-4o 和 Gemini 2.5",
        "94% 的日经 225 企业",
        "一句话判断",
        "© 2026 OpenAI",
        "arXiv 2604.02947",
        "版本 1.2.3",
    ],
)
def test_names_versions_and_words_are_not_figures(text):
    kinds = [f.kind for f in extract(text)]
    assert kinds in ([], [Kind.PERCENT])  # only the 94% of "94% 的日经 225 企业"


def test_over_a_span_of_years_is_a_duration_not_a_lower_bound():
    money, years = extract("invest 10 billion US dollars in Japan over four years")
    assert (money.kind, money.qualifier) == (Kind.MONEY, Qualifier.EXACT)
    assert (years.kind, years.value, years.qualifier) == (Kind.COUNT, 4, Qualifier.EXACT)


def test_recently_is_not_nearly():
    (figure,) = extract("最近 3 个月")
    assert figure.qualifier == Qualifier.EXACT


def test_source_pages_keep_bare_numbers_as_weak_counts():
    (figure,) = extract("Agents beat the baseline in 1 of 15", lenient=True)[:1]
    assert (figure.value, figure.weak) == (1, True)
    assert extract("Agents beat the baseline in 1 of 15") == []
