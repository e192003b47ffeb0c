"""Sources cited by items, and the append-only snapshots workers capture of them."""

from datetime import UTC

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .normalise import normalise_url
from .querysets import UNFINISHED_STATUSES, SnapshotQuerySet, SourceQuerySet
from .signals import source_freeze_check

#: What readers follow of a cited source; frozen while an approved or published issue cites it.
FROZEN_FIELDS = ("url", "kind", "publisher")


class FrozenSource(Exception):
    """A change to a cited source's URL, kind or publisher outside the correction path."""


class Source(models.Model):
    """A web page, post, paper or document cited by at least one item, keyed by normalised URL."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("官方")
        MEDIA = "media", _("媒体")
        SOCIAL = "social", _("社交媒体")
        PAPER = "paper", _("论文")
        OTHER = "other", _("其他")

    url = models.URLField(
        _("网址"),
        max_length=2000,
        unique=True,
        help_text=_("规范化后的地址：协议和域名小写，去掉默认端口、锚点和 utm_* 等跟踪参数。"),
    )
    publisher = models.CharField(
        _("发布方"),
        max_length=200,
        blank=True,
        help_text=_("发布这份材料的机构或作者，例如 OpenAI、Reuters、arXiv。"),
    )
    title = models.CharField(
        _("标题"),
        max_length=500,
        blank=True,
        help_text=_("材料的标题；抓取成功后可自动补全。"),
    )
    kind = models.CharField(
        _("类型"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.OTHER,
        help_text=_("官方公告、媒体报道、社交媒体帖文、论文或其他。核实规则会用到它。"),
    )
    content_changed_at = models.DateTimeField(
        _("内容变化时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("最近一次抓取发现正文与上一次不同的时间。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("来源")
        verbose_name_plural = pgettext_lazy("plural", "来源")
        ordering = ["publisher", "url"]

    def __str__(self):
        label = self.title or self.url
        return f"{self.publisher}: {label}" if self.publisher else label

    def save(self, *args, correction=False, **kwargs):
        """Save; a change to FROZEN_FIELDS of a source that frozen_by() names is refused
        unless it comes from the correction path (`correction=True`), which logs and shows it."""
        self.url = normalise_url(self.url)
        if self.pk is not None and not correction:
            self._refuse_frozen_change(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def frozen_by(self) -> list[str]:
        """The approved or published records citing this source, as their receivers name them.

        Sources is the lowest layer: it asks through a signal instead of reading issue statuses.
        """
        answers = source_freeze_check.send(sender=Source, source=self)
        return [name for _receiver, names in answers for name in names or ()]

    def frozen_changes(self, update_fields=None) -> list[str]:
        """The FROZEN_FIELDS this unsaved instance changes against the stored row."""
        fields = [f for f in FROZEN_FIELDS if update_fields is None or f in update_fields]
        stored = Source._base_manager.filter(pk=self.pk).values(*fields).first() or {}
        return [f for f in fields if f in stored and getattr(self, f) != stored[f]]

    def _refuse_frozen_change(self, update_fields) -> None:
        changed = self.frozen_changes(update_fields)
        frozen_by = self.frozen_by() if changed else []
        if frozen_by:
            raise FrozenSource(
                gettext("“%(source)s”已被%(issues)s引用，网址、类型和发布方只能通过更正修改。")
                % {"source": self.url, "issues": "、".join(frozen_by)}
            )

    @property
    def host(self) -> str:
        """The host name, for display and inference."""
        from urllib.parse import urlsplit

        return (urlsplit(self.url).hostname or "").lower()

    def latest_succeeded_snapshot(self):
        """The newest successful capture, or None."""
        return Snapshot.objects.newest_successful(self).first()


def snapshot_upload_path(snapshot, filename):
    """snapshots/<year>/<month>/<day the capture was asked for, UTC>/<filename>

    By day, as crawls store their WARCs, not by source: a directory per source meant a mkdir
    for every newly cited source and one parent directory that grew with every source ever
    cited. The day is the row's, so a capture retried the next day keeps its files together
    (a batch's shared WARC is filed under its first capture's day).
    """
    return f"snapshots/{snapshot.queued_at.astimezone(UTC):%Y/%m/%d}/{filename}"


class ContentHashed:
    """A record of a capture's hashes (the capture itself, or evidence that copies them)."""

    def content_hash(self) -> str:
        """What tells whether the source changed: the extracted text's hash, else the body's.

        The text is compared in its normalised form, so a change of layout alone is no change;
        the body's hash stands in for captures with no text extracted.
        """
        return self.text_sha256 or self.sha256 or ""


class Snapshot(ContentHashed, models.Model):
    """One capture attempt of a source. Rows are appended, never rewritten after they finish."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("抓取中")
        CAPTURED = "captured", _("已抓取，待提取正文")
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")

    class ErrorKind(models.TextChoices):
        """What went wrong, in a word editors read in their language; `error` has the details
        as the network stack or the server reported them."""

        REFUSED = "refused", _("地址被拒绝")
        DNS = "dns", _("域名无法解析")
        CONNECT = "connect", _("无法连接")
        TIMEOUT = "timeout", _("响应超时")
        TLS = "tls", _("TLS 握手或证书失败")
        CLIENT_ERROR = "client_error", _("网站拒绝或页面不存在（4xx）")
        SERVER_ERROR = "server_error", _("网站暂时出错（5xx、429）")
        PROTOCOL = "protocol", _("响应无效")
        UNSUPPORTED = "unsupported", _("不支持的内容类型")
        REDIRECTS = "redirects", _("重定向过多")
        INTERRUPTED = "interrupted", _("抓取中断")
        STORAGE = "storage", _("保存失败")
        EXTRACTION = "extraction", _("正文提取失败")
        INTERNAL = "internal", _("内部错误")

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("来源")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    queued_at = models.DateTimeField(_("排队时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    final_url = models.URLField(_("最终地址"), max_length=2000, blank=True)
    redirect_chain = models.JSONField(_("重定向链"), default=list, blank=True)
    response_headers = models.JSONField(_("响应头"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("服务器地址"), null=True, blank=True)
    content_type = models.CharField(_("内容类型"), max_length=200, blank=True)
    charset = models.CharField(_("字符集"), max_length=40, blank=True)
    charset_source = models.CharField(
        _("字符集来源"),
        max_length=40,
        blank=True,
        help_text=_("字符集是如何确定的：BOM、HTTP 头、meta 标签或自动检测。"),
    )
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    text_sha256 = models.CharField(_("正文 SHA-256"), max_length=64, blank=True)
    truncated = models.BooleanField(_("已截断"), default=False)
    content_changed = models.BooleanField(
        _("内容有变化"),
        default=False,
        help_text=_("正文与上一次成功抓取不同。"),
    )
    error = models.TextField(_("错误信息"), blank=True)
    error_kind = models.CharField(
        _("错误类型"), max_length=16, choices=ErrorKind.choices, blank=True
    )
    warc_file = models.FileField(_("WARC 文件"), upload_to=snapshot_upload_path, blank=True)
    # The captures of one batch share a WARC file (a warcinfo record, then each capture's
    # records); these say where this capture's records are. Empty: the file is this capture's.
    warc_offset = models.PositiveBigIntegerField(
        _("WARC 内起点"),
        null=True,
        blank=True,
        help_text=_("本次抓取的记录在 WARC 文件中的起始字节。"),
    )
    warc_length = models.PositiveBigIntegerField(
        _("WARC 内长度"),
        null=True,
        blank=True,
        help_text=_("本次抓取的记录在 WARC 文件中占的字节数。"),
    )
    text_file = models.FileField(_("正文文件"), upload_to=snapshot_upload_path, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("与之相同的快照"),
        help_text=_("内容与这次抓取逐字节相同的早先快照；本次只记录检查，文件沿用那次的。"),
    )
    retry_at = models.DateTimeField(
        _("下次重试时间"),
        null=True,
        blank=True,
        help_text=_("暂时性失败（超时、5xx、429）后安排的下一次尝试。"),
    )
    page_title = models.CharField(_("页面标题"), max_length=500, blank=True)
    page_date = models.DateField(_("发布日期"), null=True, blank=True)
    language = models.CharField(_("语言"), max_length=16, blank=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("快照")
        verbose_name_plural = pgettext_lazy("plural", "快照")
        ordering = ["-queued_at", "-pk"]
        indexes = [
            # Workers and the sweeper look for unfinished captures; finished ones, nearly all
            # rows, are reached through their source. Every index is work for each of the two
            # updates a capture makes: the ones on sha256 and on every status (with their LIKE
            # twins) served no query and took almost half the database's time per capture.
            # Keyed by id, not status: workers look a batch's rows up by id, and before the
            # table's statistics caught up (a new or restored database) the planner read every
            # unfinished row, or every row, for each batch; with ids in the index it never has to.
            models.Index(
                fields=["id"],
                condition=models.Q(status__in=UNFINISHED_STATUSES),
                name="snapshot_unfinished",
            ),
            # A source's newest successful capture (the claim, extraction, the admin) in one
            # step, not a sort of its whole history. A capture enters it only when it
            # succeeds, so the capture step's updates never touch it.
            models.Index(
                fields=["source", "-finished_at", "-id"],
                condition=models.Q(status="succeeded"),
                name="snapshot_latest_success",
            ),
        ]
        constraints = [
            # Two workers never capture the same source at once.
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(status="running"),
                name="one_running_snapshot_per_source",
            ),
        ]

    def __str__(self):
        when = self.finished_at or self.queued_at
        return f"{self.source} @ {when:%Y-%m-%d %H:%M}" if when else str(self.source)

    def get_absolute_url(self):
        return reverse("sources:snapshot", args=[self.pk])

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.SUCCEEDED

    #: How much of a capture's extracted text the checks read (source-change diffs, claims).
    TEXT_READ_LIMIT = 512 * 1024

    def read_text(self) -> str | None:
        """The extracted text of this capture (its first TEXT_READ_LIMIT bytes), or None when it
        has none or the file cannot be read."""
        if not self.text_file:
            return None
        try:
            with self.text_file.open("rb") as handle:
                return handle.read(self.TEXT_READ_LIMIT).decode("utf-8", errors="replace")
        except (OSError, ValueError):
            return None

    def error_summary(self) -> str:
        """The failure as editors read it: its kind in their language, then the details."""
        if not self.error_kind:
            return self.error
        kind = self.get_error_kind_display()
        if not self.error:
            return str(kind)
        return gettext("%(kind)s：%(details)s") % {"kind": kind, "details": self.error}
