"""The issue page: content, inlines, and the workflow sidebar (status, actions, log, comments)."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from sources.models import Source

from .. import comments, ranking, review, sections, source_corrections, workflow
from ..models import Issue, ReviewComment
from .capture import IssueSnapshotsAdminMixin
from .dailyformat import DailyFormatAdminMixin
from .forms import ConcurrentEditAdminMixin, VersionCheckedForm
from .gate_panel import IssueGateAdminMixin
from .history import GuardedRevertAdminMixin
from .inlines import ITEM_INLINES, ConclusionInline
from .panels import IssuePanelsBase
from .permissions import can_edit_issue_content
from .preview import PreviewLinkAdminMixin


@admin.register(Issue)
class IssueAdmin(
    GuardedRevertAdminMixin,
    ConcurrentEditAdminMixin,
    DailyFormatAdminMixin,
    IssueSnapshotsAdminMixin,
    IssueGateAdminMixin,
    PreviewLinkAdminMixin,
    IssuePanelsBase,
    SimpleHistoryAdmin,
):
    form = VersionCheckedForm
    change_form_template = "admin/events/issue/change_form.html"
    list_display = ["date", "title_column", "status_badge", "item_counts", "updated_at"]
    list_display_links = ["date", "title_column"]
    list_filter = ["status", ("date", admin.DateFieldListFilter)]
    search_fields = ["title", "overview", "business_analysis"]
    date_hierarchy = "date"
    ordering = ["-date"]
    save_on_top = True
    view_on_site = False  # the sidebar's preview link serves drafts to staff as well
    inlines = [ConclusionInline, *ITEM_INLINES]
    fieldsets = [
        (
            gettext_lazy("基本信息"),
            {
                "fields": [
                    ("date", "language"),
                    "title",
                    ("coverage_start", "coverage_end"),
                    "coverage_note",
                    "expected_version",
                    "loaded_at",
                ]
            },
        ),
        (gettext_lazy("今日总览"), {"fields": ["overview"]}),
        (gettext_lazy("商业与应用解读"), {"fields": ["business_analysis"]}),
    ]

    @admin.display(description=gettext_lazy("标题"), ordering="title")
    def title_column(self, obj):
        return obj.display_title

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="issue-status issue-status-{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).with_item_counts()

    @admin.display(description=gettext_lazy("事件 / 观点 / 论文"))
    def item_counts(self, obj):
        counts = (obj.event_count, obj.signal_count, obj.paper_count)
        return " / ".join(str(count or 0) for count in counts)

    # --- permissions -----------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_issue_content(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == Issue.Status.DRAFT)

    # --- saving ----------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model not in sections.models():
            return super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if inline_form.instance.pk is None:
                inline_form.instance.created_by = request.user
        changed = [f.instance.pk for f in formset.forms if f.instance.pk and f.has_changed()]
        with ranking.saving_section(formset.model, form.instance.pk, changed_pks=changed):
            super().save_formset(request, form, formset, change)

    # --- the workflow sidebar --------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        issue = self.get_object(request, object_id)
        context = extra_context or {}
        if issue is not None:
            context.update(self.workflow_context(request, issue))
        return super().change_view(request, object_id, form_url, context)

    def workflow_context(self, request, issue) -> dict:
        items = [("", _("整期"))] + [
            (f"{item.section}:{item.pk}", str(item)) for item in issue.items()
        ]
        return {
            "workflow_actions": workflow.available_actions(issue, request.user),
            "transitions": issue.transitions.select_related("actor")[:50],
            "open_comments": issue.review_comments.filter(resolved_at__isnull=True).select_related(
                "author"
            ),
            "comment_targets": items,
            "changes_since_review": review.changes_since_last_review(issue),
            "last_review": review.last_review(issue),
            "corrections": issue.corrections.all(),
            "can_correct": issue.status == Issue.Status.PUBLISHED
            and request.user.has_perm("events.correct_issue"),
            "cited_sources": Source.objects.cited_by_issue(issue).order_by("pk"),
            "source_kinds": Source.Kind.choices,
            "panels": self.issue_panels(request, issue),
            "tools": self.object_tools(request, issue),
            "preview_url": issue.get_absolute_url(),
        }

    def get_urls(self):
        own = [
            path(
                "<int:issue_id>/workflow/<str:action>/",
                self.admin_site.admin_view(self.workflow_view),
                name="events_issue_workflow",
            ),
            path(
                "<int:issue_id>/comments/",
                self.admin_site.admin_view(self.comment_view),
                name="events_issue_comment",
            ),
            path(
                "<int:issue_id>/comments/<int:comment_id>/resolve/",
                self.admin_site.admin_view(self.resolve_comment_view),
                name="events_issue_resolve_comment",
            ),
            path(
                "<int:issue_id>/correct/",
                self.admin_site.admin_view(self.correction_view),
                name="events_issue_correct",
            ),
            path(
                "<int:issue_id>/correct-source/",
                self.admin_site.admin_view(self.correct_source_view),
                name="events_issue_correct_source",
            ),
        ]
        return own + super().get_urls()

    def _back(self, issue):
        return HttpResponseRedirect(reverse("admin:events_issue_change", args=[issue.pk]))

    def workflow_view(self, request, issue_id, action):
        """POST only: take one workflow step. Wrong role → 403, wrong state → a message."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = get_object_or_404(Issue, pk=issue_id)
        publish_at = None
        if action == "schedule":
            publish_at = _parse_local_datetime(request.POST.get("publish_at", ""))
        try:
            workflow.perform(
                issue,
                action,
                by=request.user,
                comment=request.POST.get("comment", ""),
                publish_at=publish_at,
            )
        except workflow.InvalidTransition as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("已完成：%(action)s。现在的状态是“%(status)s”。")
                % {"action": workflow.ACTIONS[action].label, "status": issue.get_status_display()},
            )
            if action == "submit":
                self._warn_gate_problems(request, issue)
        return self._back(issue)

    def _warn_gate_problems(self, request, issue):
        from .. import gate

        found, warned = gate.review(issue)
        for problem in found + warned:
            messages.warning(request, str(problem))

    def comment_view(self, request, issue_id):
        """POST: a review comment on the issue or one of its items."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = get_object_or_404(Issue, pk=issue_id)
        post = request.POST
        try:
            comments.add_comment(
                issue, by=request.user, body=post.get("body", ""), target=post.get("target", "")
            )
        except comments.InvalidComment as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("评论已添加。"))
        return self._back(issue)

    def resolve_comment_view(self, request, issue_id, comment_id):
        """POST: mark a review comment resolved."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            comment = comments.resolve_comment(
                issue_id=issue_id, comment_id=comment_id, by=request.user
            )
        except ReviewComment.DoesNotExist:
            raise Http404 from None
        messages.success(request, _("评论已标记为解决。"))
        return self._back(comment.issue)

    def correction_view(self, request, issue_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = get_object_or_404(Issue, pk=issue_id)
        try:
            workflow.add_correction(issue, by=request.user, text=request.POST.get("text", ""))
        except workflow.InvalidTransition as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("更正已发布。"))
        return self._back(issue)

    def correct_source_view(self, request, issue_id):
        """POST: correct the URL, kind or publisher of a source this issue cites."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        issue = get_object_or_404(Issue, pk=issue_id)
        post = request.POST
        try:
            source_corrections.correct_cited_source(
                issue,
                post.get("source", ""),
                by=request.user,
                note=post.get("note", ""),
                fields=post,
            )
        except workflow.InvalidTransition as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("来源已更正，更正已公开。"))
        return self._back(issue)


def _parse_local_datetime(value: str):
    """A datetime-local input, read in the site's time zone (Asia/Shanghai)."""
    parsed = parse_datetime(value.strip()) if value else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed
