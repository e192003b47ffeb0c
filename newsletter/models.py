"""Subscribers, mailings (one per issue digest or correction notice) and their deliveries."""

import secrets

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .querysets import DeliveryQuerySet, SubscriberQuerySet


def new_token() -> str:
    """A random, unguessable token for the subscriber's unsubscribe link."""
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    """A reader who asked for the digest by email (double opt-in)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        ACTIVE = "active", _("已订阅")
        UNSUBSCRIBED = "unsubscribed", _("已退订")
        BOUNCED = "bounced", _("退信")
        COMPLAINED = "complained", _("投诉")

    email = models.EmailField(
        _("邮箱"), max_length=254, help_text=_("不区分大小写，每个地址只能订阅一次。")
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
        help_text=_("只有“已订阅”的读者会收到日报。"),
    )
    token = models.CharField(
        _("退订令牌"),
        max_length=64,
        unique=True,
        default=new_token,
        editable=False,
        help_text=_("退订链接中的随机令牌。"),
    )
    source = models.CharField(
        _("来源"), max_length=32, blank=True, help_text=_("订阅来源：网站、导入等。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("退订时间"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("退信时间"), null=True, blank=True)
    complained_at = models.DateTimeField(_("投诉时间"), null=True, blank=True)
    status_changed_at = models.DateTimeField(
        _("状态变更时间"), default=timezone.now, help_text=_("最近一次状态变化的时间。")
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("订阅者")
        verbose_name_plural = pgettext_lazy("plural", "订阅者")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_unique_ci"),
        ]

    def __str__(self):
        return self.email

    #: the timestamp field each status records, besides status_changed_at
    STAMPS = {
        Status.ACTIVE: "confirmed_at",
        Status.UNSUBSCRIBED: "unsubscribed_at",
        Status.BOUNCED: "bounced_at",
        Status.COMPLAINED: "complained_at",
    }

    def move_to(self, status: str, *, now=None) -> bool:
        """Set the status and its time stamp; returns False when it already had that status."""
        if self.status == status:
            return False
        now = now or timezone.now()
        self.status = status
        self.status_changed_at = now
        fields = ["status", "status_changed_at"]
        stamp = self.STAMPS.get(status)
        if stamp:
            setattr(self, stamp, now)
            fields.append(stamp)
        self.save(update_fields=fields)
        return True


class Mailing(models.Model):
    """One email sent to many: an issue's digest, or a correction notice to its recipients."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("日报")
        CORRECTION = "correction", _("更正通知")

    issue = models.ForeignKey(
        "events.Issue", on_delete=models.CASCADE, related_name="mailings", verbose_name=_("日报")
    )
    kind = models.CharField(
        _("类型"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.DIGEST,
        help_text=_("日报或更正通知。"),
    )
    correction = models.OneToOneField(
        "events.Correction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mailing",
        verbose_name=_("更正"),
        help_text=_("更正通知对应的更正。"),
    )
    subject = models.CharField(_("主题"), max_length=300, help_text=_("渲染一次，所有人相同。"))
    preheader = models.CharField(_("预览文字"), max_length=300, blank=True)
    html = models.TextField(_("HTML 正文"), help_text=_("CSS 已内联；退订令牌处留有占位符。"))
    text = models.TextField(_("纯文本正文"), help_text=_("退订令牌处留有占位符。"))
    paused = models.BooleanField(
        _("已暂停"), default=False, help_text=_("暂停后不再领取新的发送任务，恢复后继续。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件批次")
        verbose_name_plural = pgettext_lazy("plural", "邮件批次")
        ordering = ["-created_at", "-pk"]
        permissions = [("send_mailing", _("可以发送、暂停、重发日报邮件和更正通知"))]
        constraints = [
            models.UniqueConstraint(
                fields=["issue"], condition=Q(kind="digest"), name="mailing_one_digest_per_issue"
            ),
            models.CheckConstraint(
                condition=Q(kind="digest", correction__isnull=True)
                | Q(kind="correction", correction__isnull=False),
                name="mailing_correction_matches_kind",
            ),
        ]

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """One mailing to one subscriber; the database, not the broker, decides who is sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        CLAIMED = "claimed", _("已领取")
        SENDING = "sending", _("正在交给邮件服务器")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败")
        UNCERTAIN = "uncertain", _("不确定")
        SKIPPED = "skipped", _("已跳过")

    mailing = models.ForeignKey(
        Mailing, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("邮件批次")
    )
    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("订阅者"),
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        help_text=_("“不确定”：发送时进程中断，邮件可能已送达，不会自动重发。"),
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claim = models.CharField(
        _("领取标记"), max_length=32, blank=True, help_text=_("领取这条发送的任务的随机标记。")
    )
    lease_expires_at = models.DateTimeField(
        _("租约到期"), null=True, blank=True, help_text=_("到期仍未完成的发送会被回收。")
    )
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    not_before = models.DateTimeField(
        _("最早重试时间"), null=True, blank=True, help_text=_("临时错误后的退避。")
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = pgettext_lazy("plural", "投递")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="delivery_once_per_subscriber"
            ),
        ]
        indexes = [models.Index(fields=["mailing", "status"], name="delivery_mailing_status")]

    def __str__(self):
        return f"{self.mailing_id} → {self.subscriber_id}: {self.status}"

    def error_message(self) -> str:
        """The last error in the reader's language: our own messages are stored untranslated
        (their msgid); a mail server's reply has no translation and shows as it was sent."""
        return gettext(self.last_error) if self.last_error else ""
