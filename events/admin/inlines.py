"""Inlines of the issue page: its conclusions and its ranked items."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import ranking
from ..models import Conclusion
from ..sections import SECTIONS
from .forms import VersionCheckedForm
from .permissions import can_edit_issue_content


class RankedFormSet(forms.BaseInlineFormSet):
    """Refuses two items with the same rank; gaps are closed after saving."""

    def clean(self):
        # Before Django's own uniqueness check, whose message names the raw field "rank".
        seen = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            rank = form.cleaned_data.get("rank") or form.cleaned_data.get("position")
            if rank is None:
                continue
            if rank in seen:
                raise forms.ValidationError(
                    _("排名 %(rank)s 出现了两次，每个名次只能用一次。") % {"rank": rank}
                )
            seen[rank] = form
        super().clean()


class SectionFormSet(RankedFormSet):
    """Lists at most max_num existing items: an overfull section must not make a huge page.

    The rest stay on their own item pages; the formset says how many it left out.
    """

    total_items = None  # counted only when the section fills the page

    def get_queryset(self):
        if not hasattr(self, "_shown"):
            rows = super().get_queryset()
            self._shown = rows[: self.max_num]
            self.total_items = rows.count() if len(self._shown) == self.max_num else None
        return self._shown

    def non_form_errors(self):
        errors = super().non_form_errors()
        hidden = (self.total_items or 0) - self.max_num
        if not self.is_bound and hidden > 0 and not errors:
            errors.append(
                _(
                    "这一栏共有 %(total)d 条，超过每栏上限 %(max)d 条：这里只列出前 %(max)d 条，"
                    "其余请在条目列表中编辑或删除。"
                )
                % {"total": self.total_items, "max": self.max_num}
            )
        return errors


class ContentInline:
    """Inlines follow the issue's edit rule (drafts for analysts, review for editors).

    Every formset is bounded: a request claiming more forms than max_num gets Django's "at
    most N forms" error instead of building (and validating) as many forms as it claims.
    """

    #: The bound of an inline that sets no max_num of its own (an item's citations).
    max_forms = 100

    def get_max_num(self, request, obj=None, **kwargs):
        own = super().get_max_num(request, obj, **kwargs)
        return self.max_forms if own is None else own

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.get_max_num(request, obj, **kwargs))
        return super().get_formset(request, obj, **kwargs)

    def _editable(self, request, obj):
        return can_edit_issue_content(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)


class ConclusionInline(ContentInline, admin.TabularInline):
    model = Conclusion
    formset = RankedFormSet
    extra = 0
    max_num = 3
    fields = ["position", "text"]
    formfield_overrides = {
        Conclusion._meta.get_field("text").__class__: {"widget": forms.Textarea(attrs={"rows": 2})}
    }

    def get_extra(self, request, obj=None, **kwargs):
        existing = obj.conclusions.count() if obj else 0
        return max(0, 3 - existing)


class ItemInline(ContentInline, admin.StackedInline):
    form = VersionCheckedForm
    formset = SectionFormSet
    max_num = ranking.MAX_ITEMS_PER_SECTION
    extra = 0
    show_change_link = True
    classes = ["collapse"]
    autocomplete_fields = ["tags"]
    readonly_fields = ["verification", "sources"]

    @admin.display(description=gettext_lazy("核实"))
    def verification(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<span class="verification verification-{}">{}</span> {}',
            obj.verification_status,
            obj.get_verification_status_display(),
            obj.verification_note,
        )

    @admin.display(description=gettext_lazy("来源"))
    def sources(self, obj):
        if not obj.pk:
            return _("保存后在条目页面添加来源。")
        citations = obj.citations.all()
        edit = reverse(f"admin:events_{obj._meta.model_name}_change", args=[obj.pk])
        listing = format_html_join(
            " | ",
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            ((c.source.url, c.label) for c in citations),
        )
        return format_html(
            '{} <a class="button" href="{}">{}</a>',
            listing or _("（还没有来源）"),
            edit,
            _("编辑来源"),
        )


def _item_inline(kind):
    """The issue page's inline of one kind: its own fields, then what every item shows."""
    fields = [*kind.inline_fields, "tags", "verification", "sources"]
    attributes = {
        "model": kind.model,
        "fields": [*fields, "expected_version", "loaded_at"],
        "__module__": __name__,
    }
    return type(f"{kind.model_name}Inline", (ItemInline,), attributes)


#: One inline per kind, in page order.
ITEM_INLINES = tuple(_item_inline(kind) for kind in SECTIONS)
