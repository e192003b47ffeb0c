"""Admin pieces for claims: a panel on the item page, a page to accept figures, the log.

Like verification's admin, this imports nothing from events: item admins compose the mixin.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sources.admin import RecordAdminMixin

from . import services
from .forms import AcceptForm
from .models import Claim, ClaimLog


def claims_url(item) -> str:
    meta = item._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_claims", args=[item.pk])


def rows(item, claims) -> list[dict]:
    """What the templates show of each claim: its field's label, status, passage and link."""
    return [
        {
            "claim": claim,
            "field_label": item._meta.get_field(claim.field).verbose_name,
            "link": claim.archived_link(),
        }
        for claim in claims
    ]


class ClaimsAdminMixin:
    """The figures of the item and what its sources say of them, shown on the item page."""

    claims_template = "admin/claims/claims.html"

    @admin.display(description=gettext_lazy("数字核对"))
    def claims_panel(self, obj):
        if obj is None or obj.pk is None:
            return _("保存并添加来源后才会核对数字。")
        claims = services.refresh_item(obj)
        return render_to_string(
            "admin/claims/panel.html", {"rows": rows(obj, claims), "claims_url": claims_url(obj)}
        )

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "claims_panel"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        return [*fieldsets, (gettext_lazy("数字核对"), {"fields": ["claims_panel"]})]

    def get_urls(self):
        meta = self.model._meta
        own = [
            path(
                "<path:object_id>/claims/",
                self.admin_site.admin_view(self.claims_view),
                name=f"{meta.app_label}_{meta.model_name}_claims",
            )
        ]
        return own + super().get_urls()

    def claims_view(self, request, object_id):
        """GET: every figure with its passage; POST: accept one by hand, or withdraw that."""
        if not request.user.has_perm(services.PERMISSION):
            raise PermissionDenied
        item = self.get_object(request, unquote(object_id))
        if item is None:
            raise Http404
        form = AcceptForm()
        if request.method == "POST":
            form = AcceptForm(request.POST)
            if form.is_valid():
                claim = get_object_or_404(services.claims_of(item), pk=form.cleaned_data["claim"])
                action = (
                    services.accept if form.cleaned_data["action"] == "accept" else services.revoke
                )
                try:
                    action(claim, by=request.user, note=form.cleaned_data["note"])
                except services.InvalidAcceptance as refusal:
                    messages.error(request, str(refusal))
                else:
                    messages.success(request, _("已记录。"))
                    return HttpResponseRedirect(request.path)
        elif request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        claims = services.refresh_item(item)
        return TemplateResponse(
            request,
            self.claims_template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("数字核对：%(item)s") % {"item": item},
                "item": item,
                "rows": rows(item, claims),
                "form": form,
                "log": services.log_for(item),
                "change_url": reverse(
                    f"admin:{item._meta.app_label}_{item._meta.model_name}_change", args=[item.pk]
                ),
            },
        )


@admin.register(ClaimLog)
class ClaimLogAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Who accepted which figure by hand, and which figures lost their support."""

    list_display = ["created_at", "text", "field", "action", "actor"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["text", "note"]


@admin.register(Claim)
class ClaimAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["text", "field", "kind", "status", "checked_at"]
    list_filter = ["status", "kind"]
    search_fields = ["text", "quote_exact"]
