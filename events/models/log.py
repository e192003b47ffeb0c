"""The issue's record: workflow transitions, public corrections and reviewers' comments."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .fields import MarkdownField
from .issue import Issue


class TransitionLog(models.Model):
    """One workflow step of an issue: who moved it, from what, to what, why, and when."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("日报")
    )
    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=16, choices=Issue.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Issue.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
        help_text=_("为空表示系统自动操作。"),
    )
    comment = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = pgettext_lazy("plural", "流程记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Correction(models.Model):
    """A dated, public correction to a published issue."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("日报")
    )
    text = MarkdownField(_("更正内容"), help_text=_("公开显示在这一期页面上，Markdown。"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更正人"),
    )
    created_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("更正")
        verbose_name_plural = pgettext_lazy("plural", "更正")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d}: {self.text[:40]}"


class ReviewComment(models.Model):
    """A reviewer's comment on the issue or on one of its items, open until resolved."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="review_comments", verbose_name=_("日报")
    )
    item_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    item_id = models.PositiveBigIntegerField(null=True, blank=True)
    item = GenericForeignKey("item_type", "item_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("评论人"),
    )
    body = models.TextField(_("评论"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("解决人"),
    )

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = pgettext_lazy("plural", "审核意见")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:60]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
