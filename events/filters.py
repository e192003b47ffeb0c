"""Filters of the archive list: date range, tag (organisation or topic), section, corrected."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import Correction, Issue, Tag
from .sections import BY_KEY, SECTIONS


class DateInput(forms.DateInput):
    input_type = "date"


class TagField(django_filters.fields.ModelChoiceField):
    """Tags listed as "机构 · OpenAI" / "主题 · 算力", so readers see what kind each is."""

    def label_from_instance(self, obj):
        return f"{obj.get_kind_display()} · {obj.name}"


class TagChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = TagField


class IssueFilter(django_filters.FilterSet):
    """What a reader can narrow the archive by; every filter is an indexed, fixed-cost query."""

    date = django_filters.DateFromToRangeFilter(
        label=_("日期范围"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    tag = TagChoiceFilter(
        label=_("机构或主题"),
        queryset=Tag.objects.order_by("kind", "name"),
        to_field_name="slug",
        method="filter_tag",
        empty_label=_("全部"),
    )
    section = django_filters.ChoiceFilter(
        label=_("栏目"),
        choices=[(kind.key, kind.title) for kind in SECTIONS],
        method="filter_section",
        empty_label=_("全部"),
    )
    corrected = django_filters.BooleanFilter(
        label=_("有更正"),
        method="filter_corrected",
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = Issue
        fields = ["date", "tag", "section", "corrected"]

    def filter_tag(self, queryset, name, value):
        """Issues with at least one item, in any section, carrying the tag."""
        if not value:
            return queryset
        condition = Q()
        for kind in SECTIONS:
            condition |= Exists(kind.model.objects.filter(issue=OuterRef("pk"), tags=value))
        return queryset.filter(condition)

    def filter_section(self, queryset, name, value):
        """Issues that have items in that section."""
        kind = BY_KEY.get(value)
        if kind is None:
            return queryset
        return queryset.filter(Exists(kind.model.objects.filter(issue=OuterRef("pk"))))

    def filter_corrected(self, queryset, name, value):
        if value is None:
            return queryset
        corrected = Exists(Correction.objects.filter(issue=OuterRef("pk")))
        return queryset.filter(corrected if value else ~corrected)
