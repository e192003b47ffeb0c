"""Upload a daily-format file as a draft issue; download an issue in the daily format."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..dailyformat import DailyFormatError
from ..dailyformat.importer import import_bytes
from ..dailyformat.parser import MAX_BYTES
from ..dailyformat.writer import write_markdown
from ..models import Issue
from .panels import Tool


class DailyFormatUploadForm(forms.Form):
    """The file to import, and whether it may replace that day's draft."""

    file = forms.FileField(
        label=gettext_lazy("日报文件"),
        help_text=gettext_lazy("UTF-8 文本，格式同样例日报（中文或英文栏目名），最大 2 MB。"),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("替换同一天的草稿"),
        required=False,
        help_text=gettext_lazy("这一天已有草稿时，用文件内容替换它。已提交或已发布的不能替换。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件太大（最多 %(max)d KB）。") % {"max": MAX_BYTES // 1024}
            )
        return upload


class DailyFormatAdminMixin:
    """Import page (admin/events/issue/import/) and a "download in daily format" tool."""

    change_list_template = "admin/events/dailyformat/change_list.html"

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="events_issue_import",
            ),
            path(
                "<int:issue_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="events_issue_export",
            ),
        ]
        return own + super().get_urls()

    def object_tools(self, request, issue) -> list[Tool]:
        tools = super().object_tools(request, issue)
        if issue is None and self.has_add_permission(request):
            tools.append(Tool(_("导入日报文件"), reverse("admin:events_issue_import")))
        if issue is not None:
            url = reverse("admin:events_issue_export", args=[issue.pk])
            tools.append(Tool(_("下载日报格式"), url))
        return tools

    def changelist_view(self, request, extra_context=None):
        context = {"list_tools": self.object_tools(request, None), **(extra_context or {})}
        return super().changelist_view(request, context)

    def import_view(self, request):
        """GET: the upload form. POST: import as a draft, then show the draft and its warnings."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DailyFormatUploadForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                result = import_bytes(
                    form.cleaned_data["file"].read(),
                    user=request.user,
                    replace=form.cleaned_data["replace"],
                )
            except DailyFormatError as failure:
                errors = failure.errors
            else:
                issue = result.issue
                messages.success(
                    request,
                    _("已从文件导入 %(date)s 的草稿。") % {"date": issue.date.isoformat()},
                )
                for warning in result.warnings:
                    messages.warning(
                        request,
                        _("第 %(line)d 行：%(message)s")
                        % {"line": warning.line, "message": warning.message},
                    )
                return HttpResponseRedirect(reverse("admin:events_issue_change", args=[issue.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入日报文件"),
            "form": form,
            "import_errors": errors,
        }
        return TemplateResponse(request, "admin/events/dailyformat/import.html", context)

    def export_view(self, request, issue_id):
        """The issue as a daily-format .md attachment."""
        issue = get_object_or_404(Issue, pk=issue_id)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        response = HttpResponse(write_markdown(issue), content_type="text/markdown; charset=utf-8")
        filename = f"aidaily-{issue.date.isoformat()}.md"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
