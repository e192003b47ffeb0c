"""The project's sample issue (samples/seed-2026-04-08.txt), built with the factories."""

import datetime

from django.utils import timezone

from events.content_guard import assembling
from events.models import Conclusion, Issue
from sources.models import Source

from ...factories import (
    EventFactory,
    IssueFactory,
    PaperFactory,
    SocialSignalFactory,
    SourceFactory,
    TagFactory,
    cite,
)

OVERVIEW = (
    "2026-04-08 这一天最值得关注的，不是某个模型又多了一项能力，而是 AI 产业的竞争变量继续从"
    "“模型效果”外溢到“资本、算力、区域落地和合规路径”。OpenAI 的超大融资把资本门槛继续抬高，"
    "Anthropic 与 Google、Broadcom 的多吉瓦 TPU 协议则把下一轮竞争提前锁进 2027 年之后的供给侧。"
    "\n\n另一条主线是“主权化部署”正在加速成型。"
)
CONCLUSIONS = [
    "头部模型公司的竞争，正在从“谁先发新模型”转成“谁先锁住未来两三年的资本与算力供给”。",
    "主权 AI 基础设施和可验证合规，已经开始影响企业采购与区域市场准入，不再只是政策讨论。",
    "下一波最清晰的 AI 商业化，不是再造一个聊天框，而是把客服、办公、治理和执行流程改造成"
    "持续在线的 AI 系统。",
]
EVENTS = [
    {
        "title": "OpenAI 完成 1220 亿美元融资，头部资本门槛再上一个台阶",
        "occurred_on": datetime.date(2026, 3, 31),
        "still_relevant": True,
        "what_happened": "OpenAI 在 2026-03-31 宣布完成新一轮融资，承诺资本总额达到 1220 亿美元。",
        "key_facts": "OpenAI 在公告中强调，其月收入已达到 20 亿美元。",
        "why_it_matters": "这说明前沿模型公司已进入重资本阶段。",
        "implications": "企业在选择模型平台时，不能只比较当前模型能力和 API 价格。",
        "sources": [
            ("OpenAI 官方公告", "https://openai.com/index/accelerating-the-next-phase-ai/"),
            (
                "Axios : OpenAI opens the door to individual investors",
                "https://www.axios.com/2026/03/31/openai-ai-stock-investors-ipo",
            ),
        ],
        "tags": ["OpenAI"],
    },
    {
        "title": "Anthropic 联合 Google、Broadcom 锁定多吉瓦级下一代 TPU，算力预留战升级",
        "occurred_on": datetime.date(2026, 4, 6),
        "what_happened": "Anthropic 于 2026-04-06 宣布，已与 Google 和 Broadcom 签署新协议。",
        "key_facts": "Anthropic 表示，这是其迄今“最重要的一次算力承诺”。",
        "why_it_matters": "前沿模型竞争的关键约束，已从“现在能买到多少卡”转到持续拿到定制化算力。",
        "implications": "企业做多模型架构时，需要把“供应链韧性”和“跨云可用性”列为正式选型维度。",
        "sources": [
            (
                "Anthropic 官方公告",
                "https://www.anthropic.com/news/google-broadcom-partnership-compute",
            ),
        ],
        "tags": ["Anthropic", "算力"],
    },
    {
        "title": "Microsoft 对日本追加 100 亿美元投入，区域级 AI 主权部署继续前移",
        "occurred_on": datetime.date(2026, 4, 3),
        "what_happened": "Microsoft 于 2026-04-03 宣布，未来四年将在日本投入 100 亿美元。",
        "key_facts": "Reuters：Microsoft to invest \\$10 billion in Japan.",
        "why_it_matters": "“国家级 AI 落地方案”正在成为云厂商与模型平台的新竞争单元。",
        "implications": "亚洲市场的企业级 AI 采购，接下来会越来越看重本地部署能力。",
        "sources": [
            (
                "Microsoft 官方公告",
                "https://news.microsoft.com/source/asia/2026/04/03/microsoft-japan/",
            ),
        ],
        "tags": ["Microsoft"],
    },
]
SIGNALS = [
    {
        "handle": "@danielnewmanUV",
        "headline": "OpenAI 在 8520 亿美元估值上仍能拿到超大融资，说明市场在押注“超级平台”",
        "signal_type": "趋势信号",
        "verification_note": "帖文本身是分析判断；相关融资事实已被 OpenAI 官方公告验证。",
        "one_line_take": "资本市场对头部 AI 平台的下注，仍明显高于对单点应用的下注。",
        "post_url": "https://x.com/danielnewmanUV/status/2039101770870214917",
        "sources": [
            ("Daniel Newman on X", "https://x.com/danielnewmanUV/status/2039101770870214917")
        ],
    },
    {
        "handle": "@emollick",
        "headline": "Claude 在协作工具中的稳定性、连接器和工具使用表现，正在把模型竞争推向工作流层",
        "signal_type": "观点",
        "verification_note": "帖文是产品体验判断。",
        "one_line_take": "企业用户越来越在意 AI 是否能进入现有软件栈稳定干活。",
        "post_url": "https://x.com/emollick/status/2034234408312381793",
        "sources": [("Ethan Mollick on X", "https://x.com/emollick/status/2034234408312381793")],
    },
]
PAPERS = [
    {
        "name": "AgentHazard",
        "headline": "把 computer-use agent 的有害行为评测从“单步错误”升级到“流程级风险”",
        "arxiv_id": "2604.02947",
        "what_it_does": "面向有电脑操作能力的 agent 建立系统化有害行为基准。",
        "what_is_new": "论文给出 2,653 个实例，覆盖多类风险模式。",
        "applications": "适合浏览器 agent、桌面自动化的安全评估。",
        "one_line_take": "安全挑战会越来越像流程攻击面，而不只是输出过滤。",
        "sources": [("arXiv：AgentHazard", "https://arxiv.org/abs/2604.02947")],
    },
    {
        "name": "ARC-AGI-3",
        "headline": "把 agentic intelligence 的短板暴露在“探索、建模、规划”三环上",
        "arxiv_id": "2603.24621",
        "what_it_does": "用交互式、抽象、回合制环境评测前沿系统的 agentic intelligence。",
        "what_is_new": "前沿 AI 系统得分仍低于 1%。",
        "applications": "适合用来校准 agent 的泛化能力。",
        "one_line_take": "当前主流系统离可靠 agent 还有明显距离。",
        "sources": [("arXiv：ARC-AGI-3", "https://arxiv.org/abs/2603.24621")],
    },
]


def _add(factory_class, issue, rank, fields):
    fields = dict(fields)
    sources = fields.pop("sources")
    tags = fields.pop("tags", [])
    note = fields.pop("verification_note", "已由官方公告核实。")
    item = factory_class(issue=issue, rank=rank, verified=True, verification_note=note, **fields)
    for name in tags:
        item.tags.add(TagFactory(name=name, slug=name.lower()))
    for label, url in sources:
        source = Source.objects.filter(url=url).first()
        cite(item, source or SourceFactory(url=url, publisher=label.split(" ")[0]), label=label)
    return item


def build_sample_issue(*, status=Issue.Status.PUBLISHED, date=datetime.date(2026, 4, 8)):
    """The seed issue of 2026-04-08, published, with verified items and captured sources."""
    issue = IssueFactory(
        date=date,
        coverage_start=date - datetime.timedelta(days=7),
        coverage_end=date,
        overview=OVERVIEW,
        business_analysis="对大模型公司而言，平台竞争已经从模型层转成“四线作战”。",
        status=status,
        published_at=timezone.now() if status == Issue.Status.PUBLISHED else None,
    )
    # Built directly in its final status, as a restore would, not through the workflow.
    with assembling():
        for position, text in enumerate(CONCLUSIONS, start=1):
            Conclusion.objects.create(issue=issue, position=position, text=text)
        for rank, fields in enumerate(EVENTS, start=1):
            _add(EventFactory, issue, rank, fields)
        for rank, fields in enumerate(SIGNALS, start=1):
            _add(SocialSignalFactory, issue, rank, fields)
        for rank, fields in enumerate(PAPERS, start=1):
            _add(PaperFactory, issue, rank, fields)
    return issue
