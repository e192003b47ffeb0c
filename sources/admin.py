"""Admin for sources and their snapshots."""

from django.contrib import admin

from .models import Snapshot, Source


class IssueSnapshotsAdminMixin:
    """Filled in by the snapshot capability: "snapshot now" for an issue, captured counts."""


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "publisher", "url", "created_at"]
    list_filter = ["kind"]
    search_fields = ["url", "publisher", "title"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["source", "status", "http_status", "size", "finished_at"]
    list_filter = ["status"]
    search_fields = ["source__url"]
