from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Tag(models.Model):
    """An organisation or a topic, attached to items for filtering."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("机构")
        TOPIC = "topic", _("主题")

    name = models.CharField(
        _("名称"), max_length=100, unique=True, help_text=_("例如 OpenAI、算力。")
    )
    slug = models.SlugField(
        _("网址别名"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        help_text=_("用于公开网址中的筛选，例如 openai。"),
    )
    kind = models.CharField(
        _("类别"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.TOPIC,
        help_text=_("机构或主题。"),
    )

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = pgettext_lazy("plural", "标签")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name
