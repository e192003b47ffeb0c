"""Shared by the daily-format tests: where the samples are, and an issue with every field filled."""

import datetime
from pathlib import Path

from tests.factories import (
    ConclusionFactory,
    EventFactory,
    IssueFactory,
    PaperFactory,
    SocialSignalFactory,
    SourceFactory,
    cite,
)
from tests.seed import seed_bytes  # noqa: F401 - the daily-format tests import it from here

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "events" / "demo" / "sample-issue.txt"
#: The same issue in the plain format analysts wrote before the export became Markdown.
PLAIN_SAMPLE = Path(__file__).with_name("plain-format-sample.txt")


def full_issue(*, language="zh-hans", date=datetime.date(2026, 6, 1)):
    """An issue with every field the daily format carries filled, including awkward text."""
    issue = IssueFactory(
        date=date,
        language=language,
        title=f"AI前沿发展日报 特刊 | {date.isoformat()}",
        coverage_start=date - datetime.timedelta(days=7),
        coverage_note="窗口内公开、可回溯的信息",
        overview=(
            "第一段：投入 $10 亿，*重点* 在算力。\n\n"
            "1. 这是总览里的编号列表，不是条目。\n2. 第二项。\n\n"
            "来源：这一段恰好以字段名开头。\n\n"
            "<script>alert('xss')</script> 原样保存为文字。"
        ),
        business_analysis=(
            "对企业而言，供给侧的确定性正在变成竞争力。\n\n"
            "第二段：100% 的团队 & 伙伴。\n\n"
            "最后一段没有句号，2026-04-08"
        ),
    )
    for position in (1, 2, 3):
        ConclusionFactory(
            issue=issue, position=position, text=f"第 {position} 条结论，带 $5 成本。"
        )
    event = EventFactory(
        issue=issue,
        rank=1,
        title="某实验室发布新模型 | 并开放 API",
        occurred_on=date - datetime.timedelta(days=2),
        what_happened=f"该实验室于 {date - datetime.timedelta(days=2)} 宣布发布。",
        key_facts="关键数字如下。\n\n2. 这一行以编号开头，但属于关键信息。\n3. 第二行。",
        why_it_matters="算力供给被提前锁定。",
        implications="企业需要评估供应链韧性。\n\n为什么重要：这一行以另一个字段名开头。",
        verification_note="官方公告与两家媒体一致。",
    )
    second = EventFactory(issue=issue, rank=2, occurred_on=date, what_happened=f"{date} 发生。")
    lab = SourceFactory(url="https://lab.example.com/news/launch")
    cite(event, lab, label="Lab 官方公告")
    cite(event, SourceFactory(url="https://media.example.com/a?id=1"), label="Media : A | B 报道")
    cite(second, lab, label="同一来源，换个说法", captured=False)
    signal = SocialSignalFactory(
        issue=issue,
        rank=1,
        handle="@someone",
        headline="模型竞争进入工作流层",
        post_url="https://x.com/someone/status/42",
        signal_type="观点",
        verification_note="帖文是个人判断。",
        one_line_take="值得跟踪。",
    )
    cite(signal, SourceFactory(url="https://x.com/someone/status/42"), label="Someone on X")
    paper = PaperFactory(
        issue=issue,
        rank=1,
        name="Bench-1",
        headline="一个新的评测基准",
        arxiv_id="2604.00001",
        url="https://arxiv.org/abs/2604.00001",
        verification_note="已读摘要。",
    )
    cite(paper, SourceFactory(url="https://arxiv.org/abs/2604.00001"), label="arXiv：Bench-1")
    return issue


def content(issue) -> dict:
    """Everything the daily format carries, for comparing an issue before and after a round trip."""
    issue.refresh_from_db()
    item_fields = {
        "events": [
            "rank",
            "title",
            "occurred_on",
            "what_happened",
            "key_facts",
            "why_it_matters",
            "implications",
            "verification_note",
        ],
        "signals": [
            "rank",
            "handle",
            "headline",
            "post_url",
            "signal_type",
            "verification_note",
            "one_line_take",
        ],
        "papers": [
            "rank",
            "name",
            "headline",
            "arxiv_id",
            "url",
            "what_it_does",
            "what_is_new",
            "applications",
            "verification_note",
            "one_line_take",
        ],
    }
    data = {
        name: getattr(issue, name)
        for name in (
            "date",
            "title",
            "language",
            "coverage_start",
            "coverage_end",
            "coverage_note",
            "overview",
            "business_analysis",
        )
    }
    data["conclusions"] = [c.text for c in issue.conclusions.all()]
    for relation, names in item_fields.items():
        data[relation] = [
            {
                **{name: getattr(item, name) for name in names},
                "citations": [(c.label, c.source.url) for c in item.citations.all()],
            }
            for item in getattr(issue, relation).all()
        ]
    return data
