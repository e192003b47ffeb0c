"""Item pages (event, signal, paper) with their citations, and the supporting lists."""

from django.contrib import admin
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from claims.admin import ClaimsAdminMixin
from sources.admin import RecordAdminMixin
from verification.admin import VerifiableItemAdminMixin

from .. import ranking
from ..models import Citation, Event, Paper, SocialSignal, Tag, TransitionLog
from ..sections import SECTIONS
from .forms import ConcurrentEditAdminMixin, ItemForm
from .history import GuardedRevertAdminMixin
from .inlines import ContentInline
from .permissions import can_edit_issue_content


class CitationInline(ContentInline, admin.TabularInline):
    model = Citation
    extra = 1
    fields = ["position", "source", "label"]
    autocomplete_fields = ["source"]
    ordering = ["position"]

    def _editable(self, request, obj):
        # Here obj is the item whose page this is; its issue decides.
        return obj is None or can_edit_issue_content(request.user, obj.issue)


def _citation_inline(kind):
    """The citations on one kind's item page: through that kind's key, the others left out."""
    others = [other.citation_field for other in SECTIONS if other is not kind]
    attributes = {"fk_name": kind.citation_field, "exclude": others, "__module__": __name__}
    return type(f"{kind.model_name}CitationInline", (CitationInline,), attributes)


CITATION_INLINES = {kind.key: _citation_inline(kind) for kind in SECTIONS}


class ItemAdmin(
    GuardedRevertAdminMixin,
    ConcurrentEditAdminMixin,
    ClaimsAdminMixin,
    VerifiableItemAdminMixin,
    SimpleHistoryAdmin,
):
    form = ItemForm
    revert_locked_fields = ("issue", "rank", "verification_note")
    list_select_related = ["issue"]
    list_filter = [
        "issue__status",
        "verification_status",
        ("issue__date", admin.DateFieldListFilter),
    ]
    autocomplete_fields = ["tags", "issue"]
    ordering = ["-issue__date", "rank"]
    save_on_top = True

    def get_inlines(self, request, obj):
        return [CITATION_INLINES[self.model.section]]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_issue_content(request.user, obj.issue))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit_issue_content(request.user, obj.issue))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "issue" in form.base_fields:
            # Only issues the user may still edit can receive new items.
            issues = form.base_fields["issue"].queryset
            editable = [i.pk for i in issues if can_edit_issue_content(request.user, i)]
            form.base_fields["issue"].queryset = issues.filter(pk__in=editable)
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        moved = not change or bool({"rank", "issue"} & set(form.changed_data))
        left = form.initial["issue"] if change and "issue" in form.changed_data else None
        with ranking.placing(obj, moved=moved, left_issue_id=left):
            super().save_model(request, obj, form, change)


@admin.register(Event)
class EventAdmin(ItemAdmin):
    list_display = ["title", "issue", "rank", "occurred_on"]
    search_fields = ["title", "what_happened", "key_facts"]
    fieldsets = [
        (None, {"fields": ["issue", "rank", "title", ("occurred_on", "still_relevant"), "tags"]}),
        (
            gettext_lazy("正文"),
            {"fields": ["what_happened", "key_facts", "why_it_matters", "implications"]},
        ),
        (gettext_lazy("核实"), {"fields": ["verification_note"]}),
        (None, {"fields": ["expected_version", "loaded_at"], "classes": ["hidden"]}),
    ]


@admin.register(SocialSignal)
class SocialSignalAdmin(ItemAdmin):
    list_display = ["headline", "handle", "issue", "rank"]
    search_fields = ["headline", "handle", "one_line_take"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "issue",
                    "rank",
                    ("platform", "handle"),
                    "headline",
                    "post_url",
                    "signal_type",
                    "tags",
                ]
            },
        ),
        (gettext_lazy("判断与核实"), {"fields": ["one_line_take", "verification_note"]}),
        (None, {"fields": ["expected_version", "loaded_at"], "classes": ["hidden"]}),
    ]


@admin.register(Paper)
class PaperAdmin(ItemAdmin):
    list_display = ["name", "headline", "issue", "rank"]
    search_fields = ["name", "headline", "arxiv_id"]
    fieldsets = [
        (None, {"fields": ["issue", "rank", "name", "headline", ("arxiv_id", "url"), "tags"]}),
        (
            gettext_lazy("正文"),
            {"fields": ["what_it_does", "what_is_new", "applications", "one_line_take"]},
        ),
        (gettext_lazy("核实"), {"fields": ["verification_note"]}),
        (None, {"fields": ["expected_version", "loaded_at"], "classes": ["hidden"]}),
    ]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(TransitionLog)
class TransitionLogAdmin(RecordAdminMixin, admin.ModelAdmin):
    """The workflow record, read-only: it is written only by events.workflow."""

    list_display = ["created_at", "issue", "action", "from_status", "to_status", "actor"]
    list_filter = ["action", "to_status"]
    list_select_related = ["issue", "actor"]
    search_fields = ["comment", "issue__title"]
    date_hierarchy = "created_at"
