"""The ranked items of an issue: events, social signals and research papers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from verification.models import VerifiableItem

from ..search import trigram_index
from ..sections import EVENT, PAPER, SIGNAL
from .editable import GuardedPart, VersionedContent
from .fields import MarkdownField
from .issue import Issue
from .tag import Tag


class Item(GuardedPart, VerifiableItem, VersionedContent):
    """What every ranked item has: its issue, its rank, tags and who wrote it."""

    #: The kind's key in events/sections.py: the anchor prefix on the public page (#event-1).
    section = ""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, verbose_name=_("日报"))
    rank = models.PositiveSmallIntegerField(
        _("排名"), help_text=_("本栏目内的名次，从 1 开始；保存后自动整理为连续编号。")
    )
    tags = models.ManyToManyField(
        Tag, blank=True, verbose_name=_("标签"), help_text=_("相关机构与主题，读者可按标签筛选。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("撰写人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(
        inherit=True,
        excluded_fields=["version", "updated_at", "verified_at", "verified_by"],
    )

    class Meta:
        abstract = True
        ordering = ["issue", "rank"]

    def save_verification(self, fields: list[str]) -> None:
        """Save a verdict's fields with the version and update time: the note is content, and
        editors holding the old version of the form must not overwrite the verdict unknowingly."""
        self.save(update_fields=[*fields, "version", "updated_at"])

    @property
    def anchor(self) -> str:
        return f"{self.section}-{self.rank}"

    def get_absolute_url(self):
        return f"{self.issue.get_absolute_url()}#{self.anchor}"


class Event(Item):
    """A ranked top event (今日 Top N 大事件)."""

    section = EVENT.key

    title = models.CharField(
        _("标题"), max_length=300, help_text=_("一句话标题，说清楚发生了什么和意义。")
    )
    occurred_on = models.DateField(
        _("发生日期"),
        null=True,
        blank=True,
        help_text=_("事件发生或公布的日期；应在覆盖窗口内。"),
    )
    still_relevant = models.BooleanField(
        _("仍具战略影响"),
        default=False,
        help_text=_("事件早于覆盖窗口但仍值得报道时勾选，发布检查不再要求日期落在窗口内。"),
    )
    what_happened = MarkdownField(_("发生了什么"), blank=True, help_text=_("Markdown。"))
    key_facts = MarkdownField(_("关键信息"), blank=True, help_text=_("Markdown。"))
    why_it_matters = MarkdownField(_("为什么重要"), blank=True, help_text=_("Markdown。"))
    implications = MarkdownField(_("对产业/企业的启发"), blank=True, help_text=_("Markdown。"))

    class Meta(Item.Meta):
        verbose_name = _("大事件")
        verbose_name_plural = pgettext_lazy("plural", "大事件")
        default_related_name = EVENT.relation
        constraints = [
            models.UniqueConstraint(fields=["issue", "rank"], name="event_rank_unique"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="event_rank_positive"),
        ]
        indexes = [trigram_index(EVENT.key, "events_event_search_trgm")]

    def __str__(self):
        return f"{self.rank}. {self.title}"


class SocialSignal(Item):
    """A ranked high-signal post (X 平台高信号观点)."""

    section = SIGNAL.key

    platform = models.CharField(
        _("平台"), max_length=40, default="X", help_text=_("帖文所在平台，默认 X。")
    )
    handle = models.CharField(
        _("账号"), max_length=100, help_text=_("作者账号，含 @，例如 @emollick。")
    )
    post_url = models.URLField(
        _("帖文链接"), max_length=2000, blank=True, help_text=_("原帖地址，同时应作为来源引用。")
    )
    headline = models.CharField(
        _("观点标题"), max_length=300, help_text=_("这条观点的一句话概括。")
    )
    signal_type = models.CharField(
        _("类型"),
        max_length=40,
        blank=True,
        help_text=_("例如：趋势信号、观点、产品动态。"),
    )
    one_line_take = MarkdownField(_("一句话判断"), blank=True, help_text=_("编辑的判断。"))

    class Meta(Item.Meta):
        verbose_name = _("社交信号")
        verbose_name_plural = pgettext_lazy("plural", "X 平台高信号观点")
        default_related_name = SIGNAL.relation
        constraints = [
            models.UniqueConstraint(fields=["issue", "rank"], name="signal_rank_unique"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="signal_rank_positive"),
        ]
        indexes = [trigram_index(SIGNAL.key, "events_signal_search_trgm")]

    def __str__(self):
        return f"{self.rank}. {self.handle}: {self.headline}"


class Paper(Item):
    """A ranked research paper (前沿研究速递)."""

    section = PAPER.key

    name = models.CharField(
        _("论文名"), max_length=200, help_text=_("论文或基准的名称，例如 ARC-AGI-3。")
    )
    headline = models.CharField(_("标题"), max_length=300, help_text=_("一句话说明它的意义。"))
    arxiv_id = models.CharField(
        _("arXiv 编号"),
        max_length=32,
        blank=True,
        help_text=_("例如 2604.02947；不是 arXiv 论文可留空。"),
    )
    url = models.URLField(_("论文链接"), max_length=2000, blank=True, help_text=_("论文页面地址。"))
    what_it_does = MarkdownField(_("做了什么"), blank=True, help_text=_("Markdown。"))
    what_is_new = MarkdownField(_("新在哪里"), blank=True, help_text=_("Markdown。"))
    applications = MarkdownField(_("潜在应用方向"), blank=True, help_text=_("Markdown。"))
    one_line_take = MarkdownField(_("一句话判断"), blank=True, help_text=_("编辑的判断。"))

    class Meta(Item.Meta):
        verbose_name = _("论文")
        verbose_name_plural = pgettext_lazy("plural", "前沿研究速递")
        default_related_name = PAPER.relation
        constraints = [
            models.UniqueConstraint(fields=["issue", "rank"], name="paper_rank_unique"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="paper_rank_positive"),
        ]
        indexes = [trigram_index(PAPER.key, "events_paper_search_trgm")]

    def __str__(self):
        return f"{self.rank}. {self.name}: {self.headline}"
