"""Verification status of any item, with the evidence and the log behind it.

This app knows nothing of events: items are referred to by content type and id, and the mixin
is inherited by Event, SocialSignal and Paper.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("未核实")
    VERIFIED = "verified", _("已核实")
    PARTIALLY_VERIFIED = "partially_verified", _("部分核实")
    DISPUTED = "disputed", _("存在争议")
    REFUTED = "refuted", _("已证伪")
    UNVERIFIABLE = "unverifiable", _("无法核实")


PUBLISHABLE_STATUSES = frozenset(
    {VerificationStatus.VERIFIED, VerificationStatus.PARTIALLY_VERIFIED}
)


class VerifiableItem(models.Model):
    """Fields every verifiable item carries. Change them only through verification.services."""

    verification_status = models.CharField(
        _("核实状态"),
        max_length=24,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
        editable=False,
        db_index=True,
        help_text=_("只能通过“核实”操作改变，每次改变都会记录。"),
    )
    verification_note = models.TextField(
        _("验证状态说明"),
        blank=True,
        help_text=_("读者会看到的核实说明，例如“相关融资事实已被官方公告验证”。"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("核实人"),
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True, editable=False)
    evidence = models.ManyToManyField(
        "sources.Snapshot",
        blank=True,
        related_name="+",
        verbose_name=_("证据快照"),
        help_text=_("证明这条内容的已抓取快照。"),
    )

    class Meta:
        abstract = True

    @property
    def is_publishable(self) -> bool:
        return self.verification_status in PUBLISHABLE_STATUSES


class VerificationLog(models.Model):
    """One change of an item's verification status: who, when, from, to, why, on what evidence."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("原状态"), max_length=24, choices=VerificationStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=24, choices=VerificationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)
    reason = models.TextField(_("原因"), blank=True, help_text=_("重新打开或自动撤销的原因。"))
    evidence = models.JSONField(
        _("证据"),
        default=list,
        blank=True,
        help_text=_("当时依据的快照：id、来源地址和内容哈希。"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("核实记录")
        verbose_name_plural = _("核实记录")
        ordering = ["-created_at", "-pk"]
        permissions = [("verify_item", _("可以核实内容"))]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
