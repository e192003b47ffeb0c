"""Citations: which source an item cites, in which order, with the label as the analyst wrote it."""

import functools
import operator

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from sources.models import Source

from ..sections import SECTIONS
from .editable import GuardedPart
from .issue import Issue
from .items import Event, Paper, SocialSignal


def _exactly_one_item():
    """Exactly one of the kinds' foreign keys is set."""
    keys = [kind.citation_field for kind in SECTIONS]
    each = [Q(**{f"{other}__isnull": other != key for other in keys}) for key in keys]
    return functools.reduce(operator.or_, each)


class Citation(GuardedPart):
    """Item ↔ source, ordered. Exactly one of event, signal and paper is set."""

    issue = models.ForeignKey(
        Issue,
        on_delete=models.CASCADE,
        related_name="citations",
        editable=False,
        verbose_name=_("日报"),
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("大事件"),
    )
    signal = models.ForeignKey(
        SocialSignal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("社交信号"),
    )
    paper = models.ForeignKey(
        Paper,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("论文"),
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="citations",
        verbose_name=_("来源"),
        help_text=_("输入网址或发布方搜索；没有的来源请先在“来源”中添加。"),
    )
    position = models.PositiveSmallIntegerField(
        _("顺序"), default=1, help_text=_("在这条内容的来源列表中的位置。")
    )
    label = models.CharField(
        _("引用文字"),
        max_length=500,
        help_text=_("正文中显示的来源文字，按原样保留，例如“OpenAI 官方公告”。"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("引用")
        verbose_name_plural = pgettext_lazy("plural", "引用")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_item(),
                name="citation_has_exactly_one_item",
            ),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # The issue is derived from the item, so citations can be listed per issue in one query.
        self.issue_id = self.item.issue_id
        super().save(*args, **kwargs)

    @property
    def item(self):
        return next(filter(None, (getattr(self, kind.citation_field) for kind in SECTIONS)), None)
