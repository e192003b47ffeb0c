"""Words and numerals the figure normaliser reads, in Chinese and English. No Django here.

Every table maps what a writer types to one canonical form, so a claim in one language can be
compared with a passage in the other.
"""

import re

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
CN_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 10**4, "亿": 10**8}
CN_NUMERAL_CHARS = "".join([*CN_DIGITS, *CN_SMALL_UNITS, *CN_BIG_UNITS])

#: Scale words written after a number. Longest first where one is a prefix of another.
MULTIPLIERS = {
    "万亿": 10**12,
    "千亿": 10**11,
    "百亿": 10**10,
    "亿": 10**8,
    "千万": 10**7,
    "百万": 10**6,
    "万": 10**4,
    "trillion": 10**12,
    "billion": 10**9,
    "million": 10**6,
    "thousand": 10**3,
    "tn": 10**12,
    "bn": 10**9,
    "mn": 10**6,
    "b": 10**9,
    "m": 10**6,
    "k": 10**3,
}

#: Currency names, symbols and codes → ISO 4217 code.
CURRENCY_SUFFIXES = {
    "美元": "USD",
    "美金": "USD",
    "英镑": "GBP",
    "欧元": "EUR",
    "日元": "JPY",
    "港元": "HKD",
    "港币": "HKD",
    "人民币": "CNY",
    "元": "CNY",
    "us dollars": "USD",
    "u.s. dollars": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "pounds sterling": "GBP",
    "pounds": "GBP",
    "pound": "GBP",
    "sterling": "GBP",
    "euros": "EUR",
    "euro": "EUR",
    "yuan": "CNY",
    "renminbi": "CNY",
    "yen": "JPY",
    "usd": "USD",
    "gbp": "GBP",
    "eur": "EUR",
    "cny": "CNY",
    "rmb": "CNY",
    "jpy": "JPY",
}
CURRENCY_PREFIXES = {
    "us$": "USD",
    "hk$": "HKD",
    "$": "USD",
    "£": "GBP",
    "€": "EUR",
    "¥": "CNY",
    "￥": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "usd": "USD",
    "gbp": "GBP",
    "eur": "EUR",
}

#: Measure words and units after a count → canonical unit. A measure word that only counts
#: things (张, 家, 项) keeps its own form; units of time and power are shared with English.
CN_UNITS = {
    "个月": "month",
    "年": "year",
    "天": "day",
    "日": "day",
    "周": "week",
    "小时": "hour",
    "分钟": "minute",
    "秒": "second",
    "倍": "times",
    "吉瓦": "GW",
    "兆瓦": "MW",
    "千瓦": "kW",
    "万人": "人",
    "亿人": "人",
}
CN_COUNTERS = "个张家项名位人款台篇次条座所份种块颗枚部辆套国城层页字例"
EN_UNITS = {
    "years": "year",
    "year": "year",
    "months": "month",
    "month": "month",
    "weeks": "week",
    "week": "week",
    "days": "day",
    "day": "day",
    "hours": "hour",
    "hour": "hour",
    "minutes": "minute",
    "seconds": "second",
    "times": "times",
    "fold": "times",
    "gw": "GW",
    "gigawatts": "GW",
    "gigawatt": "GW",
    "mw": "MW",
    "megawatts": "MW",
    "megawatt": "MW",
    "kw": "kW",
}
TIME_UNITS = frozenset({"year", "month", "week", "day", "hour", "minute", "second"})
MEASURE_UNITS = TIME_UNITS | {"times", "GW", "MW", "kW"}

#: English number words, for "four years" and "one in five".
EN_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
EN_NUMBERS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
EN_NUMBERS |= {"eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12}

#: Words after an English number that are not what it counts.
EN_STOPWORDS = frozenset(
    [
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "the",
        "a",
        "an",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "that",
        "this",
        "than",
        "per",
        "cent",
        "percent",
        "out",
        "up",
        "down",
        "more",
        "less",
        "over",
        "under",
        "than",
        "into",
        "each",
        "who",
        "which",
        "its",
        "their",
    ]
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("Jan", "January"),
            ("Feb", "February"),
            ("Mar", "March"),
            ("Apr", "April"),
            ("May",),
            ("Jun", "June"),
            ("Jul", "July"),
            ("Aug", "August"),
            ("Sep", "Sept", "September"),
            ("Oct", "October"),
            ("Nov", "November"),
            ("Dec", "December"),
        ],
        start=1,
    )
    for name in names
}
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))

#: Hints that a Chinese measure word and an English noun count the same kind of thing.
COUNTER_NOUNS = {
    "家": ("compan", "customer", "business", "firm", "organi", "enterprise", "partner", "client"),
    "张": ("gpu", "chip", "card", "accelerator"),
    "块": ("gpu", "chip", "card"),
    "项": ("evaluation", "task", "item", "benchmark", "test", "project", "measure"),
    "个": ("instance", "task", "item", "case", "model", "environment", "example", "question"),
    "名": ("people", "person", "employee", "user", "researcher", "engineer", "staff", "worker"),
    "位": ("people", "person", "user", "researcher", "engineer", "expert"),
    "人": ("people", "person", "user", "employee", "worker", "resident"),
    "国": ("countr", "nation", "state"),
    "篇": ("paper", "article", "report"),
}

#: Chinese words and the English words that say the same, for passage context.
GLOSSARY = {
    "融资": ("financing", "funding", "raise", "round", "capital"),
    "估值": ("valuation", "valued"),
    "收入": ("revenue", "income", "sales"),
    "月收入": ("monthly",),
    "年化": ("run-rate", "annual", "annualised", "annualized"),
    "投资": ("invest", "investment"),
    "客户": ("customer", "client"),
    "企业": ("business", "enterprise", "compan"),
    "用户": ("user",),
    "员工": ("employee", "staff"),
    "数据中心": ("data centre", "data center"),
    "基准": ("benchmark",),
    "实例": ("instance",),
    "评估": ("evaluation",),
    "子任务": ("sub-task", "subtask"),
    "个人投资者": ("individual", "retail"),
    "承诺": ("commit",),
    "协议": ("agreement", "deal", "contract"),
    "算力": ("compute", "capacity"),
    "人才": ("skill", "training", "talent"),
    "得分": ("score",),
    "国家": ("countr", "nation"),
    "城市": ("cit",),
    "岗位": ("job",),
    "站点": ("station",),
    "车站": ("station",),
    "靶点": ("target",),
    "团队": ("group", "team"),
    "工厂": ("factor", "plant"),
    "机器人": ("robot",),
    "提案": ("proposal", "application"),
    "区域": ("region",),
    "地区": ("region",),
    "语言": ("language",),
    "列车": ("train",),
    "芯片": ("chip",),
    "投票": ("vote",),
    "任务": ("task",),
}

WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
CJK = re.compile(r"[\u4e00-\u9fff]")


def context_terms(text: str) -> set[str]:
    """Comparable words of a passage: lower-cased Latin words, CJK bigrams, glossary meanings."""
    terms = {w.lower() for w in WORD.findall(text) if len(w) > 2}
    han = "".join(CJK.findall(text))
    terms |= {han[i : i + 2] for i in range(len(han) - 1)}
    for chinese, english in GLOSSARY.items():
        if chinese in text:
            terms.update(english)
    return terms


def shares(terms: set[str], other: set[str]) -> int:
    """How many of `terms` appear in `other`, counting an English stem as a prefix match."""
    count = 0
    for term in terms:
        if term in other or (len(term) > 2 and any(word.startswith(term) for word in other)):
            count += 1
    return count
