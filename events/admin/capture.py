"""The issue page's source captures: a "captured N of M sources" panel and "snapshot now"."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sources import services as captures
from sources.admin import can_request_capture
from sources.models import Snapshot, Source

from .panels import Panel, Tool


def capture_summary(issue) -> dict:
    """How many of the issue's sources have a successful capture, which have none, and which
    were cut short in their newest one (the passage cited may not be in it)."""
    newest = Snapshot.objects.filter(source=OuterRef("pk")).order_by("-pk")
    succeeded = Snapshot.objects.newest_successful(OuterRef("pk"))
    sources = (
        Source.objects.cited_by_issue(issue)
        .annotate(
            captured=Exists(succeeded),
            cut_short=Subquery(succeeded.values("truncated")[:1]),
            last_status=Subquery(newest.values("status")[:1]),
            last_error=Subquery(newest.values("error")[:1]),
            last_error_kind=Subquery(newest.values("error_kind")[:1]),
        )
        .order_by("url")
    )
    labels = dict(Snapshot.Status.choices)
    rows = [
        {
            "source": s,
            "last_status": labels.get(s.last_status, ""),
            "last_error": Snapshot(
                error=s.last_error or "", error_kind=s.last_error_kind or ""
            ).error_summary(),
        }
        for s in sources
    ]
    return {
        "issue": issue,
        "total": len(rows),
        "captured": sum(1 for row in rows if row["source"].captured),
        "missing": [row for row in rows if not row["source"].captured],
        "truncated": [row for row in rows if row["source"].cut_short],
        "changed": [row for row in rows if row["source"].content_changed_at],
    }


class IssueSnapshotsAdminMixin:
    """ "Snapshot now" for every source of an issue, and a "captured N of M sources" panel."""

    def object_tools(self, request, issue):
        tools = super().object_tools(request, issue)
        if issue is not None and can_request_capture(request.user):
            url = reverse("admin:events_issue_snapshot_all", args=[issue.pk])
            tools.append(Tool(label=_("抓取全部来源"), url=url, method="post"))
        return tools

    def issue_panels(self, request, issue):
        panels = super().issue_panels(request, issue)
        if issue is not None:
            panels.append(
                Panel(
                    title=_("来源存档"),
                    template="admin/events/issue/capture_panel.html",
                    context={
                        **capture_summary(issue),
                        "can_capture": can_request_capture(request.user),
                    },
                )
            )
        return panels

    def get_urls(self):
        own = [
            path(
                "<int:issue_id>/snapshot-all/",
                self.admin_site.admin_view(self.snapshot_all_view),
                name="events_issue_snapshot_all",
            )
        ]
        return own + super().get_urls()

    def snapshot_all_view(self, request, issue_id):
        """POST: queue a capture of every source the issue cites."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_request_capture(request.user):
            raise PermissionDenied
        issue = get_object_or_404(self.model, pk=issue_id)
        queued = captures.request_issue_captures(issue=issue)
        messages.success(
            request,
            ngettext("已为 %(n)d 个来源安排抓取。", "已为 %(n)d 个来源安排抓取。", len(queued))
            % {"n": len(queued)},
        )
        return HttpResponseRedirect(reverse("admin:events_issue_change", args=[issue.pk]))
