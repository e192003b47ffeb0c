"""Admin for subscribers and deliveries, and the digest panel on the issue page."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.admin.panels import IssueContribution, Panel, Tool, contribute
from events.models import Correction, Issue
from events.rendering.email import render_email

from . import mailings, services
from .forms import CsvImportForm
from .models import Delivery, Mailing, Subscriber

#: The message after each mailing action, given how many deliveries it queued again.
ACTION_MESSAGES = {
    "pause": gettext_lazy("已暂停发送。"),
    "resume": gettext_lazy("已恢复发送。"),
    "resend_failed": gettext_lazy("已重新排队 %(count)d 封邮件。"),
    "resend_uncertain": gettext_lazy("已重新排队 %(count)d 封邮件。"),
}


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "source", "created_at", "confirmed_at", "status_changed_at"]
    list_filter = ["status", "source", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["email"]
    readonly_fields = [
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "bounced_at",
        "complained_at",
        "status_changed_at",
    ]
    actions = ["export_csv"]
    change_list_template = "newsletter/admin/subscriber_changelist.html"

    @admin.action(description=gettext_lazy("导出所选订阅者为 CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(services.export_csv(queryset), content_type="text/csv")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="newsletter_subscriber_import",
            )
        ]
        return own + super().get_urls()

    def import_view(self, request):
        """Upload a CSV: everything is validated first; duplicates are reported, not added."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CsvImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = services.import_csv(form.cleaned_data["file"].read())
            if not report.errors:
                messages.success(
                    request,
                    _("已导入 %(created)d 位订阅者，跳过 %(dups)d 个重复地址。")
                    % {"created": report.created, "dups": len(report.duplicates)},
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "title": _("导入订阅者"),
        }
        return render(request, "newsletter/admin/import.html", context)


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "issue", "paused", "created_at", "finished_at"]
    list_filter = ["kind", "paused"]
    # The stored rendering is long; the issue page previews it instead.
    fields = readonly_fields = [
        f.name for f in Mailing._meta.fields if f.name not in ("id", "html", "text")
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "mailing", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "mailing__kind"]
    search_fields = ["subscriber__email", "message_id"]
    list_select_related = ["subscriber", "mailing"]
    # The stored error is shown translated, in its place.
    readonly_fields = [f.name for f in Delivery._meta.fields if f.name != "last_error"] + ["error"]
    exclude = ["last_error"]

    @admin.display(description=gettext_lazy("最近错误"), ordering="last_error")
    def error(self, delivery):
        return delivery.error_message()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@contribute
class DigestOnIssuePage(IssueContribution):
    """Per issue: delivery counts, pause/resume, resend, preview, test send, correction notices."""

    def panels(self, request, issue):
        if issue is None or not request.user.has_perm("newsletter.view_mailing"):
            return []
        return [
            Panel(
                title=_("邮件发送"),
                template="newsletter/admin/digest_panel.html",
                context={
                    "issue": issue,
                    **mailings.issue_summary(issue),
                    "can_send": mailings.can_send(request.user),
                },
            )
        ]

    def tools(self, request, issue):
        if issue is None:
            return []
        tools = [
            Tool(
                label=_("预览邮件"),
                url=reverse("admin:events_issue_email_preview", args=[issue.pk, "html"]),
            ),
            Tool(
                label=_("预览纯文本邮件"),
                url=reverse("admin:events_issue_email_preview", args=[issue.pk, "text"]),
            ),
        ]
        if mailings.can_send(request.user):
            tools.append(
                Tool(
                    label=_("发送测试邮件给我"),
                    url=reverse("admin:events_issue_email_test", args=[issue.pk]),
                    method="post",
                )
            )
        return tools

    def urls(self):
        admin_view = self.model_admin.admin_site.admin_view
        return [
            path(
                "<int:issue_id>/email/preview/<str:part>/",
                admin_view(self.email_preview_view),
                name="events_issue_email_preview",
            ),
            path(
                "<int:issue_id>/email/test/",
                admin_view(self.email_test_view),
                name="events_issue_email_test",
            ),
            path(
                "<int:issue_id>/email/<int:mailing_id>/<str:action>/",
                admin_view(self.mailing_action_view),
                name="events_issue_mailing_action",
            ),
            path(
                "<int:issue_id>/email/correction/<int:correction_id>/",
                admin_view(self.correction_notice_view),
                name="events_issue_correction_notice",
            ),
        ]

    def _back_to(self, issue_id):
        return HttpResponseRedirect(reverse("admin:events_issue_change", args=[issue_id]))

    def email_preview_view(self, request, issue_id, part):
        """The digest exactly as subscribers would get it now (HTML or plain text)."""
        issue = get_object_or_404(Issue, pk=issue_id)
        if not self.model_admin.has_view_permission(request, issue) or part not in ("html", "text"):
            raise PermissionDenied
        rendered = render_email(issue)
        if part == "text":
            return HttpResponse(rendered.text, content_type="text/plain; charset=utf-8")
        return HttpResponse(rendered.html, content_type="text/html; charset=utf-8")

    def email_test_view(self, request, issue_id):
        """POST: send the digest as rendered now to the editor's own address."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not mailings.can_send(request.user):
            raise PermissionDenied
        issue = get_object_or_404(Issue, pk=issue_id)
        if not request.user.email:
            messages.error(request, _("你的账号没有邮箱地址，无法发送测试邮件。"))
            return self._back_to(issue.pk)
        try:
            mailings.send_test(issue, to=request.user.email)
        except Exception as error:  # any backend failure is reported, not raised at the editor
            messages.error(request, _("测试邮件发送失败：%(error)s") % {"error": error})
        else:
            messages.success(
                request, _("测试邮件已发送到 %(email)s。") % {"email": request.user.email}
            )
        return self._back_to(issue.pk)

    def mailing_action_view(self, request, issue_id, mailing_id, action):
        """POST: pause, resume, resend failed, or (by decision) resend uncertain deliveries."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not mailings.can_send(request.user):
            raise PermissionDenied
        mailing = get_object_or_404(Mailing, pk=mailing_id, issue_id=issue_id)
        try:
            count = mailings.perform(mailing, action)
        except mailings.UnknownAction:
            messages.error(request, _("未知的操作。"))
        else:
            messages.success(request, ACTION_MESSAGES[action] % {"count": count})
        return self._back_to(issue_id)

    def correction_notice_view(self, request, issue_id, correction_id):
        """POST: send the correction to exactly the readers who received the issue, once each."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not mailings.can_send(request.user):
            raise PermissionDenied
        correction = get_object_or_404(Correction, pk=correction_id, issue_id=issue_id)
        mailing = mailings.start_correction_notice(correction)
        messages.success(
            request,
            _("更正通知已排队，收件人 %(count)d 位。") % {"count": mailing.deliveries.count()},
        )
        return self._back_to(issue_id)
