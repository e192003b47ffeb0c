"""The daily issue and its three conclusions."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .. import content_guard
from ..querysets import IssueQuerySet
from ..search import trigram_index
from ..sections import SECTIONS
from .editable import GuardedPart, VersionedContent
from .fields import MarkdownField


class Issue(VersionedContent):
    """One day's briefing. Its status changes only through events.workflow."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("审核中")
        APPROVED = "approved", _("已批准")
        SCHEDULED = "scheduled", _("定时发布")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Language(models.TextChoices):
        CHINESE = "zh-hans", _("中文")
        ENGLISH = "en", _("英文")

    date = models.DateField(
        _("日期"), unique=True, help_text=_("这一期对应的日期（北京时间）。每天只有一期。")
    )
    title = models.CharField(
        _("标题"),
        max_length=200,
        blank=True,
        help_text=_("留空时使用“AI前沿发展日报 | 日期”。"),
    )
    language = models.CharField(
        _("语言"),
        max_length=8,
        choices=Language.choices,
        default=Language.CHINESE,
        help_text=_("决定导出和邮件使用中文还是英文栏目名。"),
    )
    coverage_start = models.DateField(
        _("覆盖窗口开始"), help_text=_("重点核查的起始日期；大事件应发生在覆盖窗口内。")
    )
    coverage_end = models.DateField(
        _("覆盖窗口结束"), help_text=_("重点核查的结束日期，通常是本期日期。")
    )
    coverage_note = models.CharField(
        _("覆盖说明"),
        max_length=300,
        blank=True,
        help_text=_("覆盖窗口下方的一句说明，例如“期间新增、更新或仍具战略影响的公开高信号信息”。"),
    )
    overview = MarkdownField(_("今日总览"), blank=True, help_text=_("Markdown 段落。"))
    business_analysis = MarkdownField(
        _("商业与应用解读"), blank=True, help_text=_("Markdown 段落。")
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        editable=False,
        db_index=True,
    )
    publish_at = models.DateTimeField(
        _("定时发布时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("定时发布时由主编设定。"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawal_reason = MarkdownField(
        _("撤回原因"), blank=True, editable=False, help_text=_("公开显示给读者。")
    )
    approved_fingerprint = models.CharField(
        _("批准时的内容指纹"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("批准后内容一旦改变，这一期自动退回审核。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["version", "updated_at", "approved_fingerprint"])
    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("日报")
        verbose_name_plural = pgettext_lazy("plural", "日报")
        ordering = ["-date"]
        permissions = [
            ("submit_issue", _("可以提交审核")),
            ("request_changes_issue", _("可以退回修改")),
            ("approve_issue", _("可以批准")),
            ("publish_issue", _("可以发布或定时发布")),
            ("withdraw_issue", _("可以撤回已发布的日报")),
            ("correct_issue", _("可以给已发布的日报添加更正")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(coverage_start__lte=F("coverage_end")),
                name="issue_coverage_window_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(publish_at__isnull=False),
                name="issue_scheduled_has_publish_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="issue_published_has_published_at",
            ),
        ]
        indexes = [trigram_index("issue", "events_issue_search_trgm")]

    def __str__(self):
        return self.display_title

    def save(self, *args, **kwargs):
        """Save; refused when it would change workflow fields or a published issue (see
        events.content_guard)."""
        content_guard.check_issue_save(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Delete; refused for a published or withdrawn issue (withdrawal is how it leaves)."""
        content_guard.check_issue_delete(self)
        return super().delete(*args, **kwargs)

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        brand = "AI Frontier Daily" if self.language == self.Language.ENGLISH else "AI前沿发展日报"
        return f"{brand} | {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("events:issue", args=[self.date.isoformat()])

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.WITHDRAWN)

    def items(self):
        """Every item of the issue, section by section, in rank order."""
        return [item for kind in SECTIONS for item in getattr(self, kind.relation).all()]


#: Issues not yet public: being written, reviewed, or approved and waiting to go out.
OPEN_STATUSES = (
    Issue.Status.DRAFT,
    Issue.Status.IN_REVIEW,
    Issue.Status.APPROVED,
    Issue.Status.SCHEDULED,
)


class Conclusion(GuardedPart):
    """One of the issue's three numbered conclusions (今日三条结论)."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="conclusions", verbose_name=_("日报")
    )
    position = models.PositiveSmallIntegerField(_("序号"), help_text=_("1、2、3。"))
    text = MarkdownField(_("结论"), help_text=_("一句话结论，Markdown。"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("结论")
        verbose_name_plural = pgettext_lazy("plural", "今日三条结论")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "position"], name="conclusion_position_unique")
        ]
        indexes = [trigram_index("conclusion", "events_conclusion_search_trgm")]

    def __str__(self):
        return f"{self.position}. {self.text[:40]}"
