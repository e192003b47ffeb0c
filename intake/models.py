"""Watched feeds, the entries they carry, the stories entries are grouped into, and rules."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sources.models import Source

from .querysets import EntryQuerySet, FeedQuerySet, StoryQuerySet
from .text import BANDS, band_keys, pack

#: Lower is better: an official announcement outranks a paper, a paper a news report.
TIERS = {"official": 1, "paper": 2, "media": 3, "social": 4, "other": 5}
#: Entry's band key columns, one per LSH band.
BAND_FIELDS = tuple(f"band_{band}" for band in range(BANDS))


class Feed(models.Model):
    """A watched RSS, Atom or JSON feed, polled on its own interval."""

    Kind = Source.Kind

    url = models.URLField(_("订阅地址"), max_length=2000, unique=True)
    name = models.CharField(_("名称"), max_length=200, help_text=_("引用时用作来源文字。"))
    publisher = models.CharField(_("发布方"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.MEDIA)
    poll_interval = models.DurationField(_("抓取间隔"), default=timedelta(minutes=30))
    enabled = models.BooleanField(_("启用"), default=True)
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    # Servers without validators resend the same bytes: the same digest skips the parse.
    content_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    next_poll_at = models.DateTimeField(_("下次抓取"), default=timezone.now, db_index=True)
    last_polled_at = models.DateTimeField(_("上次抓取"), null=True, blank=True, editable=False)
    consecutive_errors = models.PositiveIntegerField(_("连续失败次数"), default=0, editable=False)
    last_error = models.TextField(_("最近错误"), blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = FeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("订阅源")
        verbose_name_plural = pgettext_lazy("plural", "订阅源")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def tier(self) -> int:
        return TIERS.get(self.kind, TIERS["other"])

    def backoff(self) -> timedelta:
        """How long to wait after the current run of errors: doubling, capped."""
        cap = timedelta(hours=settings.FEED_MAX_BACKOFF_HOURS)
        return min(cap, self.poll_interval * (2 ** min(self.consecutive_errors, 16)))


class Poll(models.Model):
    """One poll of a feed and what came of it, so an analyst can see why a feed is quiet."""

    class Outcome(models.TextChoices):
        NEW = "new", _("有更新")
        UNCHANGED = "unchanged", _("未变化 (304)")
        ERROR = "error", _("失败")

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="polls")
    started_at = models.DateTimeField(_("时间"), default=timezone.now)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    new_entries = models.PositiveIntegerField(_("新条目"), default=0)
    skipped = models.JSONField(_("跳过的条目"), default=list, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("抓取记录")
        verbose_name_plural = pgettext_lazy("plural", "抓取记录")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["feed", "-started_at"])]

    def __str__(self):
        return f"{self.feed} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class Story(models.Model):
    """Entries from one or more outlets about the same thing; what the inbox lists."""

    class State(models.TextChoices):
        NEW = "new", _("新")
        STARRED = "starred", _("已标星")
        DISMISSED = "dismissed", _("已忽略")
        USED = "used", _("已采用")

    title = models.CharField(_("标题"), max_length=500)
    first_seen = models.DateTimeField(_("最早时间"), db_index=True)
    entry_count = models.PositiveIntegerField(_("条目数"), default=0)
    outlet_count = models.PositiveIntegerField(_("媒体数"), default=0)
    best_tier = models.PositiveSmallIntegerField(_("最佳来源等级"), default=TIERS["other"])
    boost = models.IntegerField(_("规则加分"), default=0)
    # Not indexed: the inbox narrows by first_seen first, and every state is common.
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.NEW)
    used_label = models.CharField(_("采用为"), max_length=100, blank=True)
    used_url = models.CharField(_("采用链接"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("选题")
        verbose_name_plural = pgettext_lazy("plural", "选题")
        ordering = ["-first_seen"]

    def __str__(self):
        return self.title

    def refresh_summary(self) -> None:
        """Recount outlets, earliest time, best tier and title from the visible entries."""
        entries = list(self.entries.visible().select_related("feed").order_by("published_at"))
        if not entries:
            entries = list(self.entries.select_related("feed").order_by("published_at"))
        self.entry_count = len(entries)
        self.outlet_count = len({e.feed_id for e in entries})
        if entries:
            best = min(entries, key=lambda e: (e.feed.tier, e.published_at))
            self.first_seen = entries[0].published_at
            self.best_tier = best.feed.tier
            self.title = best.title[:500]
            self.boost = sum(e.boost for e in entries)
        self.save()


class Entry(models.Model):
    """One item of a feed, normalised; one row per canonical URL whichever feed carried it."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="entries")
    # Unique through a constraint rather than unique=True, which on PostgreSQL also builds a
    # LIKE-pattern index that no query of the desk uses (URLs are only ever looked up whole).
    url = models.URLField(_("规范网址"), max_length=2000)
    guid = models.CharField(max_length=1000, blank=True)
    title = models.CharField(_("标题"), max_length=500)
    summary = models.TextField(_("摘要"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), db_index=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    signature = models.BinaryField(default=b"", editable=False)  # MinHash, see intake.text
    blocked_reason = models.CharField(_("屏蔽原因"), max_length=300, blank=True)
    boost = models.IntegerField(default=0)
    manually_placed = models.BooleanField(
        _("手动归类"), default=False, help_text=_("编辑手动合并或拆分过，自动去重不再移动它。")
    )
    # The signature's LSH band keys (intake.text.band_keys), one indexed column per band: stored
    # entries sharing a key in any band are the near-duplicate candidates of a new entry, found
    # through the indexes instead of comparing against the whole window.
    band_0 = models.BigIntegerField(default=0, db_index=True, editable=False)
    band_1 = models.BigIntegerField(default=0, db_index=True, editable=False)
    band_2 = models.BigIntegerField(default=0, db_index=True, editable=False)
    band_3 = models.BigIntegerField(default=0, db_index=True, editable=False)
    band_4 = models.BigIntegerField(default=0, db_index=True, editable=False)
    band_5 = models.BigIntegerField(default=0, db_index=True, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("条目")
        verbose_name_plural = pgettext_lazy("plural", "条目")
        ordering = ["published_at"]
        constraints = [models.UniqueConstraint(fields=["url"], name="intake_entry_unique_url")]

    def __str__(self):
        return self.title

    def set_signature(self, sig: tuple[int, ...]) -> None:
        """Store a MinHash signature with its band keys."""
        self.signature = pack(sig)
        for field, key in zip(BAND_FIELDS, band_keys(sig), strict=True):
            setattr(self, field, key)


class Rule(models.Model):
    """Keep, block or boost entries by keyword or regular expression; per feed or global."""

    class Action(models.TextChoices):
        KEEP = "keep", _("只保留匹配的")
        BLOCK = "block", _("屏蔽")
        BOOST = "boost", _("加分")

    class Field(models.TextChoices):
        ANY = "any", _("标题、摘要或网址")
        TITLE = "title", _("标题")
        SUMMARY = "summary", _("摘要")
        URL = "url", _("网址")

    feed = models.ForeignKey(
        Feed,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        help_text=_("留空表示对所有订阅源生效。"),
    )
    action = models.CharField(_("动作"), max_length=8, choices=Action.choices)
    field = models.CharField(_("匹配字段"), max_length=8, choices=Field.choices, default="any")
    pattern = models.CharField(_("关键词或正则"), max_length=300)
    is_regex = models.BooleanField(_("正则表达式"), default=False)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("规则")
        verbose_name_plural = pgettext_lazy("plural", "规则")
        ordering = ["feed_id", "pk"]

    def __str__(self):
        return f"{self.get_action_display()}: {self.pattern}"

    def clean(self):
        from .rules import validate_rule

        validate_rule(self)
