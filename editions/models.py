"""The files an issue is published as besides its page: the PDF, the long image and the card."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Issue


def edition_path(edition, filename: str) -> str:
    return f"editions/{edition.issue.date:%Y-%m-%d}/{filename}"


class Edition(models.Model):
    """One generated file of an issue, with the fingerprint of the content it was made from."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        LONG_IMAGE = "long", _("长图")
        CARD = "card", _("分享卡片")

    class State(models.TextChoices):
        PENDING = "pending", _("待生成")
        READY = "ready", _("可用")
        STALE = "stale", _("已过期，等待重新生成")
        FAILED = "failed", _("生成失败")

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="editions", verbose_name=_("日报")
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING)
    fingerprint = models.CharField(
        _("内容指纹"),
        max_length=64,
        blank=True,
        help_text=_("文件生成时这一期内容的指纹；内容或更正变了，文件就不再提供。"),
    )
    file = models.FileField(_("文件"), upload_to=edition_path, blank=True, max_length=200)
    size = models.PositiveIntegerField(_("字节数"), default=0)
    width = models.PositiveIntegerField(_("宽度"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高度"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("版本文件")
        verbose_name_plural = _("版本文件")
        ordering = ["issue", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "kind"], name="one_edition_per_kind")
        ]
        permissions = [("regenerate_edition", _("可以重新生成 PDF 与分享图"))]

    def __str__(self):
        return f"{self.issue.date:%Y-%m-%d} {self.get_kind_display()}"

    def is_current(self, fingerprint: str) -> bool:
        """Whether the file exists and was made from exactly this content."""
        ready = self.state == self.State.READY and bool(self.file)
        return ready and self.fingerprint == fingerprint

    def mark(self, state: str, *, error: str = "") -> None:
        """Record a state that leaves the file as it is (stale, failed, pending)."""
        self.state, self.error = state, error[:2000]
        self.save(update_fields=["state", "error", "updated_at"])
