"""Staff preview and signed preview links for outside reviewers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _

from .. import preview
from ..models import Issue
from .panels import Panel, Tool

#: Chief editors hand out reviewer links; analysts and other staff only preview.
LINK_PERMISSION = "events.approve_issue"


def can_manage_links(user) -> bool:
    """Whether the user may create and revoke reviewer links (the chief editor's role)."""
    return user.is_active and user.has_perm(LINK_PERMISSION)


class PreviewLinkAdminMixin:
    """A "create reviewer link" tool and a panel of active links with revoke buttons."""

    def object_tools(self, request, issue):
        tools = super().object_tools(request, issue)
        if issue is not None and can_manage_links(request.user) and not issue.is_public:
            url = reverse("admin:events_issue_preview_link_create", args=[issue.pk])
            tools.append(Tool(label=_("创建审稿链接"), url=url, method="post"))
        return tools

    def issue_panels(self, request, issue):
        panels = super().issue_panels(request, issue)
        if issue is None or not can_manage_links(request.user):
            return panels
        links = [link for link in issue.preview_links.all() if link.is_active]
        if links or not issue.is_public:
            panels.append(
                Panel(
                    title=_("审稿预览链接"),
                    template="events/admin/preview_links.html",
                    context={"issue": issue, "links": links, "request": request},
                )
            )
        return panels

    def get_urls(self):
        own = [
            path(
                "<int:issue_id>/preview-links/",
                self.admin_site.admin_view(self.preview_link_create_view),
                name="events_issue_preview_link_create",
            ),
            path(
                "<int:issue_id>/preview-links/<int:link_id>/revoke/",
                self.admin_site.admin_view(self.preview_link_revoke_view),
                name="events_issue_preview_link_revoke",
            ),
        ]
        return own + super().get_urls()

    def preview_link_create_view(self, request, issue_id):
        """POST: a new signed link, shown once in a message for the editor to copy."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_manage_links(request.user):
            raise PermissionDenied
        issue = get_object_or_404(Issue, pk=issue_id)
        back = HttpResponseRedirect(reverse("admin:events_issue_change", args=[issue.pk]))
        lifetime = preview.lifetime_in_days(request.POST.get("days", "3"))
        if lifetime is None:
            messages.error(
                request,
                _("有效天数必须是 1 到 %(max)d 之间的整数。") % {"max": preview.MAX_LIFETIME.days},
            )
            return back
        link = preview.create_link(
            issue=issue, by=request.user, lifetime=lifetime, note=request.POST.get("note", "")
        )
        messages.success(
            request,
            _("审稿链接（%(when)s 前有效）：%(url)s")
            % {
                "when": link.expires_at.strftime("%Y-%m-%d %H:%M"),
                "url": request.build_absolute_uri(link.get_absolute_url()),
            },
        )
        return back

    def preview_link_revoke_view(self, request, issue_id, link_id):
        """POST: stop a reviewer link working."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_manage_links(request.user):
            raise PermissionDenied
        link = get_object_or_404(preview.PreviewLink, pk=link_id, issue_id=issue_id)
        preview.revoke_link(link, by=request.user)
        messages.success(request, _("审稿链接已撤销。"))
        return HttpResponseRedirect(reverse("admin:events_issue_change", args=[issue_id]))
