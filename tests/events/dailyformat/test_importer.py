"""The importer: what a newsroom gets from a file, and that bad input writes nothing."""

import datetime

import pytest

from events.dailyformat import DailyFormatError
from events.dailyformat.importer import import_bytes, import_text
from events.models import Citation, Conclusion, Event, Issue, Paper, SocialSignal
from sources.models import Source
from tests.factories import IssueFactory, SourceFactory
from verification.models import VerificationStatus

from .helpers import SAMPLE, seed_bytes

pytestmark = pytest.mark.django_db

SMALL = """AI前沿发展日报 | 2026-04-08 (Asia/Shanghai)

日期：2026-04-08 (Asia/Shanghai) 覆盖窗口：重点核查 2026-04-01 至 2026-04-08

今日三条结论

1. 一。
2. 二。
3. 三。

今日 Top 1 大事件

1. OpenAI 完成融资

发生了什么：OpenAI 在 2026-04-02 宣布完成融资。

可信来源：OpenAI 官方公告 (<https://OpenAI.com:443/index/a/?utm_source=x#top>)
"""


def test_seed_imports_with_every_count_the_issue_promises():
    result = import_bytes(seed_bytes())
    issue = result.issue
    assert issue.date == datetime.date(2026, 4, 8)
    assert (issue.coverage_start, issue.coverage_end) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 4, 8),
    )
    assert issue.coverage_note == "期间新增、更新或仍具战略影响的公开高信号信息"
    assert issue.status == Issue.Status.DRAFT
    assert issue.conclusions.count() == 3
    assert (issue.events.count(), issue.signals.count(), issue.papers.count()) == (5, 3, 3)
    assert Source.objects.count() == 18
    assert Citation.objects.filter(issue=issue).count() == 21


def test_seed_keeps_the_truncated_nvidia_url_with_a_warning():
    result = import_bytes(seed_bytes())
    truncated = "https://nvidianews.nvidia.com/news/nvidia-and-united-kingdom-build-nations-ai-infrastructure-"
    assert Source.objects.filter(url=truncated).exists()
    assert [w.line for w in result.warnings if truncated in w.message] == [82]
    assert [w.line for w in result.warnings if "截断" in w.message and "段" in w.message] == [86]


def test_seed_dollar_amount_has_no_backslash():
    import_bytes(seed_bytes())
    citation = Citation.objects.get(label__contains="Microsoft to invest")
    assert (
        citation.label
        == "Reuters：Microsoft to invest $10 billion in Japan for AI and cyber defence expansion"
    )
    assert not Citation.objects.filter(label__contains="\\").exists()


def test_seed_sources_get_publisher_title_and_kind():
    import_bytes(seed_bytes())
    reuters = Source.objects.get(url__contains="broadcom-signs-long-term-deal")
    assert (reuters.publisher, reuters.title, reuters.kind) == (
        "Reuters",
        "Broadcom 与 Google 长期 TPU 协议",
        Source.Kind.MEDIA,
    )
    assert (
        Source.objects.get(url="https://openai.com/index/accelerating-the-next-phase-ai/").kind
        == "official"
    )
    assert Source.objects.get(url="https://arxiv.org/abs/2604.02947").kind == "paper"
    assert Source.objects.get(url__startswith="https://x.com/emollick").kind == "social"


def test_seed_items_are_unverified_and_the_signal_note_is_imported():
    import_bytes(seed_bytes())
    statuses = {
        item.verification_status
        for model in (Event, SocialSignal, Paper)
        for item in model.objects.all()
    }
    assert statuses == {VerificationStatus.UNVERIFIED}
    signal = SocialSignal.objects.get(rank=1)
    assert signal.verification_note.startswith("帖文本身是分析判断")
    assert signal.post_url == "https://x.com/danielnewmanUV/status/2039101770870214917"
    assert Paper.objects.get(rank=2).arxiv_id == "2603.24621"
    assert Event.objects.get(rank=1).occurred_on == datetime.date(2026, 3, 31)


def test_project_sample_imports_cleanly_inside_its_window():
    result = import_bytes(SAMPLE.read_bytes())
    issue = result.issue
    assert result.warnings == []
    assert (issue.events.count(), issue.signals.count(), issue.papers.count()) == (5, 3, 3)
    assert all(
        issue.coverage_start <= e.occurred_on <= issue.coverage_end for e in issue.events.all()
    )
    kinds = set(Source.objects.values_list("kind", flat=True))
    assert {"official", "media", "social", "paper"} <= kinds
    assert Source.objects.filter(url__contains="download_pdf").exists()


def test_sources_are_deduplicated_by_normalised_url_and_existing_ones_kept_as_corrected():
    corrected = SourceFactory(
        url="https://openai.com/index/a/", publisher="OpenAI (corrected)", kind=Source.Kind.OFFICIAL
    )
    issue = import_text(SMALL).issue
    citation = issue.events.get().citations.get()
    assert citation.source == corrected
    assert citation.label == "OpenAI 官方公告"
    corrected.refresh_from_db()
    assert corrected.publisher == "OpenAI (corrected)"
    assert Source.objects.count() == 1


def test_items_record_the_importing_user(analyst):
    issue = import_text(SMALL, user=analyst).issue
    assert issue.created_by == analyst
    assert issue.events.get().created_by == analyst


def test_a_date_that_already_has_an_issue_is_an_error_on_the_date_line():
    IssueFactory(date=datetime.date(2026, 4, 8))
    with pytest.raises(DailyFormatError) as failure:
        import_text(SMALL)
    assert failure.value.errors[0].line == 3
    assert "--replace" in failure.value.errors[0].message
    assert Event.objects.count() == 0 and Source.objects.count() == 0


def test_replace_rewrites_a_draft_in_place():
    first = import_text(SMALL).issue
    result = import_text(SMALL.replace("OpenAI 完成融资", "OpenAI 完成新一轮融资"), replace=True)
    assert result.replaced and result.issue.pk == first.pk
    assert list(Event.objects.values_list("title", flat=True)) == ["OpenAI 完成新一轮融资"]
    assert Conclusion.objects.count() == 3


@pytest.mark.parametrize("status", ["in_review", "approved", "published"])
def test_replace_refuses_an_issue_that_is_no_longer_a_draft(status):
    import_text(SMALL)
    Issue.objects.update(status=status, published_at=datetime.datetime.now(datetime.UTC))
    with pytest.raises(DailyFormatError) as failure:
        import_text(SMALL.replace("OpenAI 完成融资", "改过的标题"), replace=True)
    assert failure.value.errors[0].line == 3
    assert Event.objects.get().title == "OpenAI 完成融资"


def test_a_value_too_long_for_its_column_creates_nothing():
    text = SMALL.replace("OpenAI 完成融资", "长" * 301)
    with pytest.raises(DailyFormatError) as failure:
        import_text(text)
    assert failure.value.errors[0].line == 13
    assert Issue.objects.count() == 0 and Source.objects.count() == 0


def test_a_failure_midway_rolls_everything_back(monkeypatch):
    from events.dailyformat import importer

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer.Citation.objects, "create", explode)
    with pytest.raises(RuntimeError):
        import_text(SMALL)
    assert Issue.objects.count() == 0
    assert Source.objects.count() == 0 and Event.objects.count() == 0


def test_script_in_the_file_is_stored_as_text_not_run():
    text = SMALL.replace("1. 一。", "1. <script>alert(1)</script> 一。")
    issue = import_text(text).issue
    assert issue.conclusions.get(position=1).text == "<script>alert(1)</script> 一。"


def test_a_list_nested_three_hundred_deep_is_refused_on_its_item_line():
    deep = "\n".join("    " * level + f"- 第 {level} 层" for level in range(300))
    text = SMALL.replace("宣布完成融资。\n", f"宣布完成融资。\n\n{deep}\n")
    with pytest.raises(DailyFormatError) as failure:
        import_text(text)
    [error] = failure.value.errors
    assert error.line == 13  # the item's numbered line
    assert error.message.startswith("“发生了什么”：列表或引用嵌套太深")
    assert Issue.objects.count() == 0 and Source.objects.count() == 0


def test_an_overview_nested_too_deep_is_refused_on_its_heading_line():
    text = SMALL.replace("今日三条结论", "今日总览\n\n" + ">" * 300 + " 引用\n\n今日三条结论")
    with pytest.raises(DailyFormatError) as failure:
        import_text(text)
    assert [(e.line, e.message[:12]) for e in failure.value.errors] == [
        (5, "“今日总览”：列表或引用")
    ]
