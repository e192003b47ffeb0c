"""Verification status of any item, with the evidence and the log behind it.

This app knows nothing of events: items are referred to by content type and id, and the mixin
is inherited by Event, SocialSignal and Paper.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sources.models import ContentHashed


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

#: The outcomes an analyst may record; each is reached from `unverified` only.
OUTCOMES = tuple(s for s in VerificationStatus if s != VerificationStatus.UNVERIFIED)


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

    @property
    def is_verification_frozen(self) -> bool:
        """True when the item belongs to a published record, which changes only by correction.

        Duck-typed on `self.issue.is_public` because this app may not import events; an item
        without an issue is never frozen.
        """
        issue = getattr(self, "issue", None)
        return bool(issue is not None and getattr(issue, "is_public", False))

    @property
    def accepts_verdict(self) -> bool:
        """Whether a verdict may be recorded now: unverified, and not part of a published record."""
        return self.verification_status == VerificationStatus.UNVERIFIED and not (
            self.is_verification_frozen
        )

    @property
    def accepts_reopening(self) -> bool:
        """Whether the standing verdict may be sent back to unverified by hand."""
        return self.verification_status != VerificationStatus.UNVERIFIED and not (
            self.is_verification_frozen
        )

    def save_verification(self, fields: list[str]) -> None:
        """Save a change of these verification fields (only verification.services calls this).

        The item's own layer overrides it to move what else it keeps with its content, such as
        a version counter.
        """
        self.save(update_fields=fields)

    def cited_sources(self) -> list:
        """The sources this item cites, in citation order (each item has a `citations` relation)."""
        return [citation.source for citation in self.citations.all()]


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
    diff = models.TextField(
        _("内容变化"),
        blank=True,
        help_text=_("来源内容变化导致自动撤销时，新旧正文的差异（节选）。"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("核实记录")
        verbose_name_plural = pgettext_lazy("plural", "核实记录")
        ordering = ["-created_at", "-pk"]
        permissions = [("verify_item", _("可以核实内容"))]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def is_automatic(self) -> bool:
        return self.actor_id is None


class Evidence(ContentHashed, models.Model):
    """One snapshot a verification relied on, with the content hashes it had at that moment.

    Rows stay `current` while the verdict stands; re-verifying or reopening the item retires
    them. A new capture of the source whose text hash differs reopens the item.
    """

    log = models.ForeignKey(
        VerificationLog,
        on_delete=models.CASCADE,
        related_name="evidence_rows",
        verbose_name=_("核实记录"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    snapshot = models.ForeignKey(
        "sources.Snapshot",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("快照"),
        help_text=_("核实时依据的那一次抓取。"),
    )
    source = models.ForeignKey(
        "sources.Source",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("来源"),
        help_text=_("快照所属的来源；来源内容变化时据此找到受影响的核实。"),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    text_sha256 = models.CharField(_("正文 SHA-256"), max_length=64, blank=True)
    current = models.BooleanField(
        _("有效"), default=True, help_text=_("核实结论仍然成立时为真；重新打开后失效。")
    )

    class Meta:
        verbose_name = _("核实证据")
        verbose_name_plural = pgettext_lazy("plural", "核实证据")
        ordering = ["log", "pk"]
        indexes = [
            models.Index(
                fields=["source"], condition=models.Q(current=True), name="evidence_current_source"
            ),
            models.Index(fields=["content_type", "object_id"], name="evidence_item"),
        ]

    def __str__(self):
        return f"{self.source_id}@{self.snapshot_id}"


class SourceChangeAlert(models.Model):
    """A cited source changed after the item's issue was published: the editors must look.

    Published records are not reopened automatically; instead the change waits here until an
    editor adds a correction to the issue or marks it as checked.
    """

    class Resolution(models.TextChoices):
        CORRECTED = "corrected", _("已发布更正")
        DISMISSED = "dismissed", _("已检查，无需更正")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    source = models.ForeignKey(
        "sources.Source", on_delete=models.PROTECT, related_name="+", verbose_name=_("来源")
    )
    evidence_snapshot = models.ForeignKey(
        "sources.Snapshot",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("核实时的快照"),
    )
    snapshot = models.ForeignKey(
        "sources.Snapshot",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("新快照"),
        help_text=_("发现变化的那一次抓取。"),
    )
    diff = models.TextField(_("内容变化"), blank=True, help_text=_("新旧正文的差异（节选）。"))
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    resolution = models.CharField(
        _("处理方式"), max_length=16, choices=Resolution.choices, blank=True
    )

    class Meta:
        verbose_name = _("发布后来源变化")
        verbose_name_plural = pgettext_lazy("plural", "发布后来源变化")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="alert_item")]
        constraints = [
            # One open alert per item and new capture, however often the signal is delivered.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "snapshot"], name="alert_once_per_capture"
            ),
        ]

    def __str__(self):
        return f"{self.source} ({self.created_at:%Y-%m-%d})" if self.created_at else str(self.pk)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def correction_draft(self) -> str:
        """A correction the editor can publish in one click, or edit first."""
        return gettext(
            "更正：%(item)s 引用的来源“%(source)s”在发布后有更新（%(url)s）。"
            "我们已对照最新内容核对，相关表述以来源最新版本为准。"
        ) % {
            "item": self.item,
            "source": self.source.publisher or self.source.title or self.source.host,
            "url": self.source.url,
        }
