"""The figures of an item checked against the captures of the sources it cites.

Like verification, this app knows nothing of events: a claim names its item by content type
and id. Rows are refreshed from a fresh check (claims.services.refresh_item); what an editor
decides — a figure accepted as checked by hand, with a note — survives a refresh as long as
the figure is still written the same way in the same field.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Claim(models.Model):
    """One figure of one factual field of an item, and what the cited captures say of it."""

    class Status(models.TextChoices):
        SUPPORTED = "supported", _("有依据")
        UNSUPPORTED = "unsupported", _("来源中找不到")
        UNVERIFIABLE = "unverifiable", _("来源未抓取")

    class Kind(models.TextChoices):
        MONEY = "money", _("金额")
        COUNT = "count", _("数量")
        PERCENT = "percent", _("百分比")
        DATE = "date", _("日期")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("字段"), max_length=40)
    occurrence = models.PositiveSmallIntegerField(
        _("第几处"), default=1, help_text=_("同一字段里相同写法的第几处。")
    )
    position = models.PositiveIntegerField(_("位置"), default=0)
    text = models.CharField(_("原文"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    value = models.FloatField(_("数值"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=40, blank=True)
    date = models.CharField(_("日期"), max_length=10, blank=True)
    qualifier = models.CharField(_("限定"), max_length=8, default="exact")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    snapshot = models.ForeignKey(
        "sources.Snapshot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("依据快照"),
    )
    quote_exact = models.TextField(_("原句"), blank=True)
    quote_prefix = models.TextField(_("原句之前"), blank=True)
    quote_suffix = models.TextField(_("原句之后"), blank=True)
    quote_start = models.PositiveIntegerField(_("起始位置"), null=True, blank=True)
    quote_end = models.PositiveIntegerField(_("结束位置"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("人工确认人"),
    )
    accepted_at = models.DateTimeField(_("人工确认时间"), null=True, blank=True)
    accepted_note = models.TextField(_("人工确认说明"), blank=True)
    checked_at = models.DateTimeField(_("核对时间"), auto_now=True)

    class Meta:
        verbose_name = _("数字核对")
        verbose_name_plural = pgettext_lazy("plural", "数字核对")
        ordering = ["content_type", "object_id", "position", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="claim_item")]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "text", "occurrence"],
                name="claim_once_per_figure",
            ),
        ]

    def __str__(self):
        return f"{self.text} ({self.get_status_display()})"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def needs_attention(self) -> bool:
        """Unsupported and not accepted by hand: what the gate names."""
        return self.status == self.Status.UNSUPPORTED and not self.is_accepted

    def archived_link(self) -> str:
        """The archived copy of the supporting capture, scrolled to and highlighting the quote."""
        from django.urls import reverse

        from .matching import Passage

        if self.snapshot_id is None or not self.quote_exact or self.quote_start is None:
            return ""
        passage = Passage(self.quote_exact, self.quote_prefix, self.quote_suffix, 0, 0)
        page = reverse("sources:snapshot-page", args=[self.snapshot_id])
        return f"{page}{passage.fragment()}"


class ClaimLog(models.Model):
    """What happened to a claim: accepted by hand, acceptance withdrawn, or lost its support."""

    class Action(models.TextChoices):
        ACCEPTED = "accepted", _("人工确认")
        REVOKED = "revoked", _("撤销人工确认")
        DRIFTED = "drifted", _("来源变化后失去依据")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("字段"), max_length=40)
    text = models.CharField(_("原文"), max_length=200)
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("数字核对记录")
        verbose_name_plural = pgettext_lazy("plural", "数字核对记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="claimlog_item")]

    def __str__(self):
        return f"{self.text}: {self.get_action_display()}"
