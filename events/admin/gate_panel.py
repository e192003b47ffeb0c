"""The issue sidebar's publish check: the gate's problems, "source changed since publication"
alerts with a drafted correction, and the link to the verification queue."""

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _

from verification import services
from verification.admin import item_label, verify_url
from verification.models import SourceChangeAlert

from .. import gate
from .panels import Panel, Tool
from .verification_queue import queue_view

#: Problems fixed on the item's verify page rather than on its change page.
VERIFY_PAGE_PROBLEMS = ("verification", "evidence", "evidence_outdated")


def problem_link(problem) -> str:
    """Where the editor fixes the problem: the item's verify or change page, or the source."""
    if problem.item is not None and problem.code in VERIFY_PAGE_PROBLEMS:
        return verify_url(problem.item)
    if getattr(problem, "source", None) is not None:
        return reverse("admin:sources_source_change", args=[problem.source.pk])
    if problem.item is not None:
        meta = problem.item._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[problem.item.pk])
    return ""


class IssueGateAdminMixin:
    """The gate's problems and "source changed since publication" alerts in the issue sidebar."""

    def issue_panels(self, request, issue) -> list:
        panels = list(super().issue_panels(request, issue))
        if not issue.is_public:
            panels.insert(0, self._gate_panel(issue))
        alerts = list(services.open_alerts_for(issue.items())) if issue.is_public else []
        if alerts:
            panels.insert(0, self._alerts_panel(request, issue, alerts))
        return panels

    def _gate_panel(self, issue) -> Panel:
        problems = [
            (p, problem_link(p), item_label(p.item) if p.item else "") for p in gate.problems(issue)
        ]
        return Panel(
            _("发布检查"),
            "admin/events/issue/gate_panel.html",
            {"problems": problems, "queue_url": reverse("admin:events_issue_verification_queue")},
        )

    def _alerts_panel(self, request, issue, alerts) -> Panel:
        return Panel(
            _("发布后来源有变化"),
            "admin/events/issue/source_change_panel.html",
            {
                "alerts": [(alert, alert.correction_draft()) for alert in alerts],
                "issue": issue,
                "correct_url": reverse("admin:events_issue_correct", args=[issue.pk]),
                "can_resolve": request.user.has_perm(services.RESOLVE_PERMISSION),
                "dismiss_url_name": "admin:events_issue_dismiss_source_change",
            },
        )

    def object_tools(self, request, issue) -> list:
        tools = list(super().object_tools(request, issue))
        if request.user.has_perm(services.PERMISSION):
            tools.append(Tool(_("核实队列"), reverse("admin:events_issue_verification_queue")))
        return tools

    def get_urls(self):
        own = [
            path(
                "verification-queue/",
                self.admin_site.admin_view(lambda request: queue_view(request, model_admin=self)),
                name="events_issue_verification_queue",
            ),
            path(
                "<int:issue_id>/source-changes/<int:alert_id>/dismiss/",
                self.admin_site.admin_view(self.dismiss_source_change_view),
                name="events_issue_dismiss_source_change",
            ),
        ]
        return own + super().get_urls()

    def dismiss_source_change_view(self, request, issue_id, alert_id):
        """POST only: an editor checked the change and no correction is needed."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        alert = get_object_or_404(SourceChangeAlert, pk=alert_id)
        if alert.item is None or alert.item.issue_id != issue_id:
            raise Http404
        if services.dismiss_alert(alert, by=request.user):
            messages.success(request, _("已标记为检查过，无需更正。"))
        return HttpResponseRedirect(reverse("admin:events_issue_change", args=[issue_id]))
