"""The issue page's box of files: each file's state, downloads, and regeneration for the chief
editor; and the files as records (written only by the renderers)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _

from events.admin.panels import IssueContribution, Panel, contribute
from events.models import Issue
from sources.admin import RecordAdminMixin

from . import services
from .fingerprint import edition_fingerprint
from .models import Edition
from .views import file_response

REGENERATE_PERMISSION = "editions.regenerate_edition"


@admin.register(Edition)
class EditionAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["issue", "kind", "state", "size", "width", "height", "generated_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["issue"]
    exclude = ["file"]  # its media URL would skip the check that the file is still current


@contribute
class EditionsOnIssuePage(IssueContribution):
    """The PDF, long image and card of a published issue: state, download, regenerate."""

    def panels(self, request, issue):
        if issue is None or not request.user.has_perm("editions.view_edition"):
            return []
        editions = {e.kind: e for e in issue.editions.all()}
        fingerprint = edition_fingerprint(issue) if editions else ""
        rows = [
            {
                "kind": kind,
                "label": label,
                "edition": editions.get(kind),
                "current": kind in editions and editions[kind].is_current(fingerprint),
            }
            for kind, label in Edition.Kind.choices
        ]
        context = {
            "issue": issue,
            "rows": rows,
            "published": issue.status == Issue.Status.PUBLISHED,
            "can_regenerate": request.user.has_perm(REGENERATE_PERMISSION),
        }
        return [Panel(_("PDF 与分享图"), "editions/admin/editions_panel.html", context)]

    def urls(self):
        admin_view = self.model_admin.admin_site.admin_view
        return [
            path(
                "<int:issue_id>/editions/<str:kind>/download/",
                admin_view(self.download_view),
                name="events_issue_edition_download",
            ),
            path(
                "<int:issue_id>/editions/regenerate/",
                admin_view(self.regenerate_view),
                name="events_issue_editions_regenerate",
            ),
        ]

    def download_view(self, request, issue_id, kind):
        """The file, only while it matches the issue's content (never a stale one)."""
        if not request.user.has_perm("editions.view_edition"):
            raise PermissionDenied
        issue = get_object_or_404(Issue, pk=issue_id)
        edition = services.current_edition(issue, kind) if kind in Edition.Kind.values else None
        if edition is None:
            raise Http404(_("这个文件不存在，或已不符合这一期的内容。"))
        return file_response(edition, attachment=True)

    def regenerate_view(self, request, issue_id):
        """POST, chief editor: make every file again from the issue as it stands."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm(REGENERATE_PERMISSION):
            raise PermissionDenied
        issue = get_object_or_404(Issue, pk=issue_id, status=Issue.Status.PUBLISHED)
        services.queue_generation(issue_id=issue.pk, force=True)
        messages.success(request, _("已开始重新生成 PDF、长图和分享卡片。"))
        return HttpResponseRedirect(reverse("admin:events_issue_change", args=[issue.pk]))
