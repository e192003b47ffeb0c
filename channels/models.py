"""The delivery ledger: one row per issue, channel and event (publish, correction, withdrawal).

Like the digest's deliveries, the database decides what is sent: a row is claimed by a
compare-and-set to `sending` before the request leaves, so a worker that dies with a request in
flight leaves a row that becomes `uncertain` and is never sent again without an editor's say.
"""

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    """An outside service told of every publication, correction and withdrawal."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(
        _("地址"),
        max_length=2000,
        help_text=_("只接受 http/https 公网地址；内网和本机地址会被拒绝。"),
    )
    secret = models.CharField(
        _("签名密钥"),
        max_length=200,
        help_text=_("用 HMAC-SHA256 签名请求体，签名放在 X-Aidaily-Signature 头里。"),
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Webhook 端点")
        verbose_name_plural = pgettext_lazy("plural", "Webhook 端点")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class ChannelDelivery(models.Model):
    """One event of one issue to one channel, sent at most once unless an editor decides."""

    class Channel(models.TextChoices):
        WECHAT = "wechat", _("微信公众号")
        FEISHU = "feishu", _("飞书群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")
        WEBHOOK = "webhook", _("Webhook")

    class Kind(models.TextChoices):
        PUBLISH = "publish", _("发布")
        CORRECT = "correct", _("更正")
        WITHDRAW = "withdraw", _("撤回")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        SENDING = "sending", _("正在发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败")
        UNCERTAIN = "uncertain", _("不确定")

    issue = models.ForeignKey(
        "events.Issue",
        on_delete=models.CASCADE,
        related_name="channel_deliveries",
        verbose_name=_("日报"),
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("Webhook 端点"),
    )
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)
    correction = models.ForeignKey(
        "events.Correction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更正"),
    )
    key = models.CharField(
        _("去重键"),
        max_length=80,
        unique=True,
        editable=False,
        help_text=_("日报、渠道、端点、事件与更正：同一件事只记一行。"),
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Status.choices,
        default=Status.QUEUED,
        db_index=True,
        help_text=_("“不确定”：请求已发出但没有收到答复，不会自动重发。"),
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("原因"), max_length=500, blank=True)
    not_before = models.DateTimeField(_("下次重试"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("租约到期"), null=True, blank=True)
    remote = models.JSONField(
        _("对方返回"), default=dict, blank=True, help_text=_("例如微信的 media_id 和 publish_id。")
    )
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("渠道投递")
        verbose_name_plural = pgettext_lazy("plural", "渠道投递")
        ordering = ["pk"]
        permissions = [("retry_channeldelivery", _("可以重试失败或不确定的渠道投递"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel="webhook", endpoint__isnull=False)
                | (~models.Q(channel="webhook") & models.Q(endpoint__isnull=True)),
                name="channeldelivery_endpoint_matches_channel",
            ),
        ]

    def __str__(self):
        return f"{self.issue_id} {self.channel} {self.kind}: {self.status}"

    def save(self, *args, **kwargs):
        """Save, deriving the natural key from the row's own fields."""
        self.key = self.key_for(
            self.issue_id,
            self.channel,
            self.kind,
            endpoint_id=self.endpoint_id,
            correction_id=self.correction_id,
        )
        super().save(*args, **kwargs)

    @staticmethod
    def key_for(issue_id, channel, kind, *, endpoint_id=None, correction_id=None) -> str:
        """The natural key: the same event to the same place is one row."""
        return f"{issue_id}:{channel}:{endpoint_id or 0}:{kind}:{correction_id or 0}"

    def error_message(self) -> str:
        """The reason in the reader's language: ours are stored as msgids, a platform's as sent."""
        return gettext(self.last_error) if self.last_error else ""
