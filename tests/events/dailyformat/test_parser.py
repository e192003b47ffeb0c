"""The parser: the mess real files contain, and every error, each with its line number."""

import datetime

import pytest

from events.dailyformat import DailyFormatError
from events.dailyformat.parser import decode, parse

HEADER = """AI前沿发展日报 | 2026-04-08 (Asia/Shanghai)

日期：2026-04-08 (Asia/Shanghai) 覆盖窗口：重点核查 2026-04-01 至 2026-04-08
期间新增、更新或仍具战略影响的公开高信号信息
"""

EVENT = """今日 Top 1 大事件

1. OpenAI 完成融资

发生了什么：OpenAI 在 2026-04-02 宣布完成融资。

可信来源：{sources}
"""


def event_with_sources(sources: str) -> str:
    return HEADER + "\n" + EVENT.format(sources=sources)


def messages(diagnostics):
    return [(d.line, d.message) for d in diagnostics]


def errors_of(text: str):
    with pytest.raises(DailyFormatError) as failure:
        parse(text)
    return failure.value.errors


# --- the header ------------------------------------------------------------------------------


def test_header_gives_date_window_and_coverage_note():
    parsed = parse(HEADER)
    assert parsed.date == datetime.date(2026, 4, 8)
    assert (parsed.coverage_start, parsed.coverage_end) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 4, 8),
    )
    assert parsed.coverage_note == "期间新增、更新或仍具战略影响的公开高信号信息"
    assert parsed.date_line == 3
    assert parsed.title == ""  # the default title is not stored
    assert parsed.language == "zh-hans"


def test_a_custom_title_line_is_kept():
    parsed = parse(
        HEADER.replace("AI前沿发展日报 | 2026-04-08", "AI前沿发展日报 特刊 | 2026-04-08")
    )
    assert parsed.title == "AI前沿发展日报 特刊 | 2026-04-08"


def test_english_labels_give_an_english_issue():
    text = """AI Frontier Daily | 2026-05-12 (Asia/Shanghai)
Date: 2026-05-12 (Asia/Shanghai) Coverage window: 2026-05-05 to 2026-05-12

Overview

A calm day.

Three conclusions

1. One.
2. Two.
3. Three.

Top 1 events

1. A launch

What happened: On 2026-05-10 a lab shipped a model.

Sources: Lab official announcement (<https://lab.example.com/news>)
"""
    parsed = parse(text)
    assert parsed.language == "en"
    assert parsed.coverage_start == datetime.date(2026, 5, 5)
    assert parsed.overview == "A calm day."
    assert parsed.events[0].occurred_on == datetime.date(2026, 5, 10)
    assert parsed.events[0].sources[0].label == "Lab official announcement"


def test_missing_date_line_is_an_error_on_the_first_line():
    errors = errors_of("AI前沿发展日报\n\n今日总览\n\n正文。\n")
    assert errors[0].line == 1
    assert "缺少日期行" in errors[0].message


def test_empty_file_is_an_error_about_the_date_line():
    assert "缺少日期行" in errors_of("")[0].message


def test_impossible_date_is_an_error_on_the_date_line():
    errors = errors_of(HEADER.replace("2026-04-01", "2026-02-30"))
    assert messages(errors) == [(3, "“2026-02-30”不是有效的日期。")]


def test_window_that_ends_before_it_starts_is_an_error():
    errors = errors_of(HEADER.replace("2026-04-01 至", "2026-04-09 至"))
    assert errors[0].line == 3
    assert "开始日期晚于结束日期" in errors[0].message


def test_date_line_without_window_is_an_error():
    errors = errors_of("日期：2026-04-08 (Asia/Shanghai)\n")
    assert errors[0].line == 1
    assert "缺少覆盖窗口" in errors[0].message


def test_extra_text_before_the_first_section_is_an_error_not_silently_dropped():
    errors = errors_of(HEADER + "还有一行说明\n\n今日总览\n\n正文。\n")
    assert errors[0].line == 5


# --- messy constructs -------------------------------------------------------------------------


def test_crlf_line_endings_byte_order_mark_and_trailing_spaces_keep_line_numbers():
    text = event_with_sources("NVIDIA Newsroom 页面（<https://nvidianews.nvidia.com/news/uk-ai->")
    raw = ("\ufeff" + text.replace("\n", "   \r\n")).encode("utf-8")
    parsed = parse(decode(raw))
    assert parsed.date == datetime.date(2026, 4, 8)
    assert parsed.events[0].title == "OpenAI 完成融资"
    assert parsed.events[0].what_happened == "OpenAI 在 2026-04-02 宣布完成融资。"
    assert [w.line for w in parsed.warnings if "截断" in w.message] == [12]


def test_runs_of_blank_lines_separate_paragraphs_once():
    text = HEADER + "\n\n\n今日总览\n\n\n\n第一段。\n\n\n\n第二段。\n\n\n"
    parsed = parse(
        text + "今日 Top 1 大事件\n\n\n\n1. 事件\n\n\n可信来源：A (<https://a.example.com>)\n"
    )
    assert parsed.overview == "第一段。\n\n第二段。"
    assert (parsed.events[0].line, parsed.events[0].sources[0].line) == (23, 26)
    assert parsed.warnings[0].message.startswith("今日三条结论应有三条")


def test_full_width_brackets_around_a_url():
    parsed = parse(event_with_sources("Microsoft 官方公告（<https://news.microsoft.com/a/>）"))
    source = parsed.events[0].sources[0]
    assert (source.label, source.url, source.line) == (
        "Microsoft 官方公告",
        "https://news.microsoft.com/a/",
        12,
    )
    assert not [w for w in parsed.warnings if w.line == 12]


def test_url_without_angle_brackets_in_full_width_brackets():
    parsed = parse(
        event_with_sources("NVIDIA 官方公告 PDF（https://nvidianews.nvidia.com/pdf/68c9/）")
    )
    source = parsed.events[0].sources[0]
    assert (source.url, source.line) == ("https://nvidianews.nvidia.com/pdf/68c9/", 12)
    assert not [w for w in parsed.warnings if w.line == 12]


def test_url_without_angle_brackets_keeps_a_balanced_parenthesis():
    parsed = parse(event_with_sources("Wiki (https://en.wikipedia.org/wiki/Foo_(bar))"))
    assert parsed.events[0].sources[0].url == "https://en.wikipedia.org/wiki/Foo_(bar)"


def test_url_missing_its_closing_bracket_is_kept_with_a_warning_on_its_line():
    url = "https://nvidianews.nvidia.com/news/nvidia-and-united-kingdom-build-nations-ai-infrastructure-"
    parsed = parse(event_with_sources(f"NVIDIA Newsroom 页面（<{url}>"))
    assert parsed.events[0].sources[0].url == url
    (warning,) = [w for w in parsed.warnings if w.line == 12]
    assert url in warning.message and "截断" in warning.message


def test_url_missing_both_closing_characters_is_kept_with_a_warning():
    parsed = parse(event_with_sources("Lab (<https://lab.example.com/news/cut"))
    assert parsed.events[0].sources[0].url == "https://lab.example.com/news/cut"
    assert any("“>)”" in w.message and w.line == 12 for w in parsed.warnings)


def test_labels_with_either_colon_are_kept_exactly_as_written():
    parsed = parse(
        event_with_sources(
            "Reuters : Broadcom 与 Google 长期 TPU 协议 (<https://finance.yahoo.com/a>) | "
            "Reuters：Microsoft to invest \\$10 billion（<https://finance.yahoo.com/b>）"
        )
    )
    labels = [s.label for s in parsed.events[0].sources]
    assert {s.line for s in parsed.events[0].sources} == {12}
    assert labels == [
        "Reuters : Broadcom 与 Google 长期 TPU 协议",
        "Reuters：Microsoft to invest $10 billion",
    ]


def test_markdown_dollar_escape_is_removed_but_meaningful_escapes_stay():
    parsed = parse(HEADER + "\n今日总览\n\n投入 \\$10 亿，\\*不是\\* 强调。\n")
    assert parsed.overview == "投入 $10 亿，\\*不是\\* 强调。"
    cited = parse(event_with_sources("Reuters：invest \\$10 billion (<https://a.example.com/>)"))
    assert (cited.events[0].sources[0].label, cited.events[0].sources[0].line) == (
        "Reuters：invest $10 billion",
        12,
    )


def test_paragraph_broken_by_a_blank_line_is_joined_with_a_warning_on_the_cut():
    text = (
        HEADER
        + "\n商业与应用解读\n\n对大模型公司而言，2026-04-08\n\n"
        + "之前一周的信号很明确。\n\n新的一段。\n"
    )
    parsed = parse(text)
    assert parsed.business_analysis == (
        "对大模型公司而言，2026-04-08 之前一周的信号很明确。\n\n新的一段。"
    )
    assert [(w.line, "截断" in w.message) for w in parsed.warnings if w.line == 8] == [(8, True)]


def test_finished_paragraphs_and_lists_are_not_joined():
    text = HEADER + "\n今日总览\n\n第一段结束。\n\n第二段。\n\n- 列表项\n\n接着的文字，没有句号\n"
    assert parse(text).overview == "第一段结束。\n\n第二段。\n\n- 列表项\n\n接着的文字，没有句号"


def test_signal_handle_and_headline_split_at_either_colon():
    text = HEADER + (
        "\nX 平台高信号观点\n\n1. @danielnewmanUV : 资本押注超级平台\n\n类型：趋势信号\n\n"
        "验证状态：融资事实已被官方公告验证。\n\n一句话判断：集中度会上升。\n\n"
        "来源：Daniel Newman on X (<https://x.com/danielnewmanUV/status/1>) | "
        "OpenAI 官方公告 (<https://openai.com/a>)\n\n2. @TheEconomist：公开市场\n\n"
        "来源：The Economist on X (<https://twitter.com/TheEconomist/status/2>)\n"
    )
    first, second = parse(text).signals
    assert (first.handle, first.headline, first.signal_type) == (
        "@danielnewmanUV",
        "资本押注超级平台",
        "趋势信号",
    )
    assert first.verification_note == "融资事实已被官方公告验证。"
    assert first.post_url == "https://x.com/danielnewmanUV/status/1"
    assert (second.handle, second.post_url) == (
        "@TheEconomist",
        "https://twitter.com/TheEconomist/status/2",
    )


def test_paper_name_headline_and_arxiv_id():
    text = HEADER + (
        "\n前沿研究速递\n\n1. ARC-AGI-3：把短板暴露在探索上\n\n做了什么：提出基准。\n\n"
        "来源：arXiv：ARC-AGI-3 (<https://arxiv.org/abs/2603.24621>)\n"
    )
    (paper,) = parse(text).papers
    assert (paper.name, paper.headline, paper.arxiv_id) == (
        "ARC-AGI-3",
        "把短板暴露在探索上",
        "2603.24621",
    )
    assert paper.url == "https://arxiv.org/abs/2603.24621"


def test_top_three_is_as_valid_as_top_five_and_a_wrong_count_warns():
    body = "".join(
        f"{n}. 事件 {n}\n\n发生了什么：2026-04-0{n} 发生。\n\n可信来源：A (<https://a.example.com/{n}>)\n\n"
        for n in (1, 2, 3)
    )
    parsed = parse(HEADER + "\n今日 Top 3 大事件\n\n" + body)
    assert [e.rank for e in parsed.events] == [1, 2, 3]
    assert [e.occurred_on.day for e in parsed.events] == [1, 2, 3]
    wrong = parse(HEADER + "\n今日 Top 5 大事件\n\n" + body)
    assert any(w.line == 6 and "Top 5" in w.message for w in wrong.warnings)


def test_event_without_a_date_has_no_occurred_on():
    parsed = parse(
        event_with_sources("A (<https://a.example.com>)").replace("在 2026-04-02 ", "近日")
    )
    assert parsed.events[0].occurred_on is None


def test_an_item_numbered_out_of_order_is_ranked_by_position_with_a_warning():
    text = HEADER + "\n今日 Top 1 大事件\n\n3. 事件\n\n可信来源：A (<https://a.example.com>)\n"
    parsed = parse(text)
    assert parsed.events[0].rank == 1
    assert any(w.line == 8 and "编号是 3" in w.message for w in parsed.warnings)


# --- errors -----------------------------------------------------------------------------------


def test_unknown_section_is_an_error_on_its_line():
    errors = errors_of(HEADER + "\n今日总览\n\n正文。\n\n市场情绪\n\n大家很乐观。\n")
    assert [(e.line, "未知的栏目“市场情绪”" in e.message) for e in errors] == [(10, True)]


def test_field_outside_an_item_is_an_error_on_its_line():
    errors = errors_of(HEADER + "\n今日 Top 1 大事件\n\n发生了什么：没有编号的条目。\n")
    assert [(e.line, "不在任何条目里" in e.message) for e in errors] == [(8, True)]


def test_field_in_a_paragraph_section_is_an_error():
    errors = errors_of(HEADER + "\n今日总览\n\n关键信息：这应该属于某个大事件。\n")
    assert errors[0].line == 8


def test_field_of_another_section_is_an_error():
    text = event_with_sources("A (<https://a.example.com>)") + "\n做了什么：这是论文的字段。\n"
    errors = errors_of(text)
    assert errors[0].line == 14 and "不是这个栏目的字段" in errors[0].message


def test_a_section_given_twice_is_an_error_on_the_second():
    errors = errors_of(HEADER + "\n今日总览\n\n一。\n\n今日总览\n\n二。\n")
    assert errors[0].line == 10


def test_source_without_a_url_is_an_error():
    errors = errors_of(event_with_sources("OpenAI 官方公告"))
    assert errors[0].line == 12 and "没有网址" in errors[0].message


@pytest.mark.parametrize(
    "url",
    [
        "https://exa mple.com/",
        "https://" + "a" * 2001 + ".com/",
        "https://<script>alert(1)</script>/",
    ],
)
def test_malformed_urls_are_errors(url):
    errors = errors_of(event_with_sources(f"坏网址 (<{url}>)"))
    assert errors[0].line == 12


def test_javascript_url_is_not_taken_as_a_source():
    errors = errors_of(event_with_sources("点我 (<javascript:alert(1)>)"))
    assert "没有网址" in errors[0].message


def test_every_error_is_reported_not_just_the_first():
    text = (
        HEADER + "\n今日总览\n\n正文。\n\n未知栏目\n\n今日 Top 1 大事件\n\n发生了什么：无主字段。\n"
    )
    assert [e.line for e in errors_of(text)] == [10, 14]


def test_file_that_is_not_utf8_is_an_error_on_the_bad_line():
    data = HEADER.encode("utf-8") + "\n今日总览\n\n".encode() + "正文".encode("gbk") + b"\n"
    with pytest.raises(DailyFormatError) as failure:
        decode(data)
    assert failure.value.errors[0].line == 8


def test_oversized_file_is_refused():
    with pytest.raises(DailyFormatError) as failure:
        decode(b"x" * (2 * 1024 * 1024 + 1))
    assert "太大" in failure.value.errors[0].message


def test_prose_after_a_sources_list_is_an_error_not_silently_dropped():
    text = event_with_sources("A (<https://a.example.com/>)") + "\n这段话没有归属，会丢失\n"
    errors = errors_of(text)
    assert [(e.line, "来源列表之后" in e.message) for e in errors] == [(14, True)]


def test_a_sources_list_wrapped_onto_the_next_line_is_one_list():
    text = event_with_sources("A (<https://a.example.com/>) |\nB (<https://b.example.com/>)")
    sources = parse(text).events[0].sources
    assert [(s.label, s.line) for s in sources] == [("A", 12), ("B", 12)]


def test_control_characters_are_an_error_on_their_line():
    errors = errors_of(HEADER + "\n今日总览\n\n正文\x00里有 NUL。\n")
    assert [e.line for e in errors] == [8]


def test_line_numbers_count_newlines_only():
    parsed = parse(HEADER + "\n今日总览\n\n第一行\u2028同一行。\n\n今日 Top 1 大事件\n\n1. 事件\n")
    assert parsed.events[0].line == 12
