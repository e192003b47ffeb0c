"""Admin for sources and their snapshots.

The issue page's capture panel and button are events' (events/admin/capture.py): this layer
knows nothing of issues.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import FROZEN_FIELDS, Snapshot, Source

#: Asking for a capture is part of editing sources (analysts and chief editors).
CAPTURE_PERMISSION = "sources.change_source"


def can_request_capture(user) -> bool:
    """Whether the user may queue captures ("snapshot now")."""
    return user.is_active and user.has_perm(CAPTURE_PERMISSION)


class RecordAdminMixin:
    """For logs and other records written only by services or workers: readable, never edited
    by hand. Here, in the lowest layer that has such a record (snapshots), so that every layer
    above may use it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SnapshotInline(admin.TabularInline):
    model = Snapshot
    fk_name = "source"
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-pk"]
    fields = [
        "status",
        "finished_at",
        "http_status",
        "size",
        "truncated",
        "content_changed",
        "archived",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # captures are made by workers, never typed in

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("存档"))
    def archived(self, obj):
        if obj.status != Snapshot.Status.SUCCEEDED:
            return obj.error_summary()[:160] or "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), _("查看")
        )


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "publisher", "url", "capture_status", "changed_badge"]
    list_filter = ["kind", ("content_changed_at", admin.EmptyFieldListFilter)]
    search_fields = ["url", "publisher", "title"]
    readonly_fields = ["content_changed_at", "created_at"]
    inlines = [SnapshotInline]
    actions = ["snapshot_now"]
    change_form_template = "sources/admin/source_change_form.html"

    def get_queryset(self, request):
        newest = Snapshot.objects.filter(source=OuterRef("pk")).order_by("-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(last_status=Subquery(newest.values("status")[:1]))
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.frozen_by():
            # Published pages link to what was verified: a correction changes these, not an edit.
            fields += [f for f in FROZEN_FIELDS if f not in fields]
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        source = self.get_object(request, object_id)
        frozen_by = source.frozen_by() if source is not None else []
        if frozen_by and request.method == "GET":
            messages.info(
                request,
                _(
                    "这个来源已被%(issues)s引用：网址、类型和发布方只能由主编通过更正修改，或引用新的来源。"
                )
                % {"issues": "、".join(frozen_by)},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=gettext_lazy("最近抓取"))
    def capture_status(self, obj):
        if not obj.last_status:
            return _("从未抓取")
        return dict(Snapshot.Status.choices).get(obj.last_status, obj.last_status)

    @admin.display(description=gettext_lazy("内容有变化"), boolean=True)
    def changed_badge(self, obj):
        return obj.content_changed_at is not None

    @admin.action(description=gettext_lazy("立即抓取选中的来源"))
    def snapshot_now(self, request, queryset):
        if not can_request_capture(request.user):
            raise PermissionDenied
        count = len(services.request_captures(queryset.order_by("pk")))
        message = _("已为 %(n)d 个来源安排抓取。") % {"n": count}
        self.message_user(request, message, messages.SUCCESS)

    def get_urls(self):
        own = [
            path(
                "<int:source_id>/snapshot-now/",
                self.admin_site.admin_view(self.snapshot_now_view),
                name="sources_source_snapshot_now",
            )
        ]
        return own + super().get_urls()

    def snapshot_now_view(self, request, source_id):
        """POST: queue a capture of this source."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_request_capture(request.user):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=source_id)
        snapshot = services.request_capture(source=source)
        messages.success(request, _("已安排抓取（快照 #%(id)d）。") % {"id": snapshot.pk})
        return HttpResponseRedirect(reverse("admin:sources_source_change", args=[source.pk]))


@admin.register(Snapshot)
class SnapshotAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Snapshots are append-only records made by workers."""

    list_display = [
        "source",
        "status",
        "finished_at",
        "http_status",
        "size",
        "content_changed",
        "truncated",
        "attempts",
        "error_kind",
    ]
    list_filter = ["status", "error_kind", "content_changed", "truncated"]
    search_fields = ["source__url", "final_url", "sha256"]
    list_select_related = ["source"]
    date_hierarchy = "queued_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Snapshot._meta.fields]
