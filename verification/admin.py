"""Admin pieces for verification: a mixin for item admins (status column, verify page) and the
read-only log.

This module imports nothing from events; the issue page's publish check and the verification
queue are events' (events/admin/gate_panel.py), composed from the helpers here.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from sources.admin import RecordAdminMixin

from . import services
from .forms import UnknownStep, VerifyPage
from .models import VerificationLog, VerificationStatus


def admin_url(obj, view: str) -> str:
    """The admin URL of one of the object's pages ("change", "verify")."""
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def verify_url(item) -> str:
    """The admin page where this item is verified or reopened."""
    return admin_url(item, "verify")


def item_label(item) -> str:
    """ "大事件 2": the section and the rank, as editors refer to items."""
    return f"{item._meta.verbose_name} {item.rank}"


def status_badge(item):
    return format_html(
        '<span class="verification verification-{}">{}</span>',
        item.verification_status,
        item.get_verification_status_display(),
    )


class VerifiableItemAdminMixin:
    """Status column and filter on item lists, a summary on the item page, and a verify page."""

    verify_template = "admin/verification/verify.html"

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        return columns if "verification_column" in columns else [*columns, "verification_column"]

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return filters if "verification_status" in filters else [*filters, "verification_status"]

    @admin.display(description=gettext_lazy("核实"), ordering="verification_status")
    def verification_column(self, obj):
        return format_html('<a href="{}">{}</a>', verify_url(obj), status_badge(obj))

    @admin.display(description=gettext_lazy("核实状态"))
    def verification_summary(self, obj):
        if obj is None or obj.pk is None:
            return _("保存并添加来源后才能核实。")
        who = ""
        if obj.verified_by_id:
            when = obj.verified_at.strftime("%Y-%m-%d %H:%M") if obj.verified_at else ""
            who = format_html(" · {} · {}", obj.verified_by, when)
        label = (
            pgettext("button", "核实")
            if obj.verification_status == VerificationStatus.UNVERIFIED
            else _("查看核实 / 重新打开")
        )
        return format_html(
            '{}{} <a class="button" href="{}">{}</a>',
            status_badge(obj),
            who,
            verify_url(obj),
            label,
        )

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "verification_summary"]
        if obj is not None and obj.verification_status != VerificationStatus.UNVERIFIED:
            # The note readers see belongs to the verdict: change it by reopening and verifying.
            fields.append("verification_note")
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, dict(options)) for name, options in super().get_fieldsets(request, obj)]
        for _name, options in fieldsets:
            fields = list(options.get("fields", ()))
            if "verification_note" in fields and "verification_summary" not in fields:
                fields.insert(fields.index("verification_note"), "verification_summary")
                options["fields"] = fields
                return fieldsets
        return [*fieldsets, (gettext_lazy("核实"), {"fields": ["verification_summary"]})]

    def get_urls(self):
        meta = self.model._meta
        own = [
            path(
                "<path:object_id>/verify/",
                self.admin_site.admin_view(self.verify_view),
                name=f"{meta.app_label}_{meta.model_name}_verify",
            )
        ]
        return own + super().get_urls()

    def verify_view(self, request, object_id):
        """GET: the verdict, evidence and log; POST: verify or reopen, checked by the service."""
        if not request.user.has_perm(services.PERMISSION):
            raise PermissionDenied
        item = self.get_object(request, unquote(object_id))
        if item is None:
            raise Http404
        page = VerifyPage(item)
        if request.method == "POST":
            try:
                done = page.submit(request.POST, by=request.user)
            except UnknownStep:
                return HttpResponseNotAllowed(["GET", "POST"])
            for error in page.errors:
                messages.error(request, error)
            if done:
                messages.success(request, done)
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            **page.context(),
            "opts": self.model._meta,
            "title": _("核实：%(item)s") % {"item": item},
            "badge": status_badge(item),
            "change_url": admin_url(item, "change"),
        }
        return TemplateResponse(request, self.verify_template, context)


@admin.register(VerificationLog)
class VerificationLogAdmin(RecordAdminMixin, admin.ModelAdmin):
    """The verification record, read-only: it is written only by verification.services."""

    list_display = ["created_at", "item_column", "from_status", "to_status", "actor", "automatic"]
    list_filter = ["to_status", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["note", "reason"]
    date_hierarchy = "created_at"

    @admin.display(description=gettext_lazy("内容"))
    def item_column(self, obj):
        # Type and id, not the item itself: one query per row would be the price of its title.
        return f"{obj.content_type.name} #{obj.object_id}"

    @admin.display(description=gettext_lazy("自动"), boolean=True)
    def automatic(self, obj):
        return obj.is_automatic
