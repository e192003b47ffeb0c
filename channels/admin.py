"""Admin for webhook endpoints and the delivery ledger, and the channels on the issue page."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.admin.panels import IssueContribution, Panel, Tool, contribute
from events.models import Issue
from sources.admin import RecordAdminMixin

from . import panel, services, tasks, webhooks, wechat
from .models import ChannelDelivery, WebhookEndpoint

RETRY_PERMISSION = "channels.retry_channeldelivery"


def can_retry(user) -> bool:
    """Whether the user may send a failed or uncertain delivery again (the chief editor)."""
    return user.is_active and user.has_perm(RETRY_PERMISSION)


class WebhookEndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "secret", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def clean_url(self):
        url = self.cleaned_data["url"]
        webhooks.validate_url(url)
        return url


class DeliveryLogInline(RecordAdminMixin, admin.TabularInline):
    model = ChannelDelivery
    fields = ["issue", "kind", "status", "attempts", "error", "sent_at", "not_before"]
    readonly_fields = fields
    ordering = ["-pk"]
    extra = 0
    verbose_name_plural = gettext_lazy("投递记录")

    @admin.display(description=gettext_lazy("原因"))
    def error(self, delivery):
        return delivery.error_message()


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "active", "created_at"]
    list_filter = ["active"]
    inlines = [DeliveryLogInline]


@admin.register(ChannelDelivery)
class ChannelDeliveryAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "issue",
        "channel",
        "endpoint",
        "kind",
        "status",
        "attempts",
        "sent_at",
        "error",
    ]
    list_filter = ["channel", "kind", "status"]
    list_select_related = ["issue", "endpoint"]
    readonly_fields = [f.name for f in ChannelDelivery._meta.fields if f.name != "last_error"]
    exclude = ["last_error"]

    @admin.display(description=gettext_lazy("原因"), ordering="last_error")
    def error(self, delivery):
        return delivery.error_message()


@contribute
class ChannelsOnIssuePage(IssueContribution):
    """Each channel's state for the issue, a retry for the chief editor, the WeChat copy."""

    def panels(self, request, issue):
        if issue is None or not request.user.has_perm("channels.view_channeldelivery"):
            return []
        context = {
            "issue": issue,
            "rows": panel.rows_for(issue),
            "can_retry": can_retry(request.user),
        }
        return [Panel(title=_("发布渠道"), template="channels/admin/panel.html", context=context)]

    def tools(self, request, issue):
        if issue is None:
            return []
        url = reverse("admin:events_issue_wechat", args=[issue.pk])
        return [Tool(label=_("复制到微信公众号"), url=url)]

    def urls(self):
        admin_view = self.model_admin.admin_site.admin_view
        return [
            path(
                "<int:issue_id>/wechat/",
                admin_view(self.wechat_view),
                name="events_issue_wechat",
            ),
            path(
                "<int:issue_id>/channels/<int:delivery_id>/retry/",
                admin_view(self.retry_view),
                name="events_issue_channel_retry",
            ),
        ]

    def wechat_view(self, request, issue_id):
        """The article as WeChat's editor keeps it, WeChat's limits, and a copy button."""
        issue = get_object_or_404(Issue, pk=issue_id)
        if not self.model_admin.has_view_permission(request, issue):
            raise PermissionDenied
        article = wechat.render_article(issue)
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": Issue._meta,
            "original": issue,
            "title": _("复制到微信公众号：%(title)s") % {"title": issue.display_title},
            "article": article,
            # Our own markup: every piece of issue text in it was escaped by channels.wechat.
            "article_html": mark_safe(article.content),
            "chars": len(article.content),
            "limits": wechat.limit_problems(article),
            "max_chars": wechat.MAX_CONTENT_CHARS,
        }
        return render(request, "channels/admin/wechat.html", context)

    def retry_view(self, request, issue_id, delivery_id):
        """POST, chief editor only: send a failed or uncertain delivery again."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_retry(request.user):
            raise PermissionDenied
        delivery = get_object_or_404(ChannelDelivery, pk=delivery_id, issue_id=issue_id)
        if services.retry(delivery):
            tasks.deliver.delay_on_commit(delivery.pk)
            messages.success(request, _("已重新排队。"))
        else:
            messages.error(request, _("只有失败或不确定的投递可以重试。"))
        return HttpResponseRedirect(reverse("admin:events_issue_change", args=[issue_id]))
