"""The history pages, with a revert that is only another edit.

django-simple-history's revert saves the historical row as it was, so a revert of a published
issue also restored an old status, no publication date and the old approval, and a revert of an
item could move it back into another issue. Here the history list and its diffs stay as they
are, but a revert:

* is offered and accepted only when the user may edit the object now (the admin's
  has_change_permission on the current row: drafts for analysts; nothing published);
* copies onto the current row only the content fields of the form; never what the form does
  not have (status, publication, approval) nor `revert_locked_fields` (which issue an item is
  in, its rank, its verification note, which the verification service records);
* is saved through save_model like any edit: version check, history row with the user and a
  reason, the admin log, the model guard (events.content_guard) and the return-to-review
  receivers.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ..content_guard import ContentLocked
from ..models.editable import ConcurrentEditError


class GuardedRevertAdminMixin:
    """Put before SimpleHistoryAdmin in the bases of an admin whose model has history."""

    #: Model fields a revert never restores, even when they are on the edit form.
    revert_locked_fields: tuple = ()

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        current = self.get_object(request, unquote(object_id))
        if current is None:
            raise Http404
        if request.method == "POST" and not self.has_change_permission(request, current):
            raise PermissionDenied
        request._revert_current = current
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except (ContentLocked, ConcurrentEditError) as refusal:
            messages.error(request, str(refusal) or _("保存被拒绝：别人刚刚保存了同一条内容。"))
            opts = self.model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[current.pk])
            return HttpResponseRedirect(url)

    def revert_disabled(self, request, obj=None):
        current = getattr(request, "_revert_current", None) or obj
        return super().revert_disabled(request, obj) or not self.has_change_permission(
            request, current
        )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if getattr(request, "_revert_current", None) is not None:
            return [*fields, *self.revert_locked_fields]
        return fields

    def render_history_view(self, request, template, context, **kwargs):
        # The old row does not keep its version number; the form must carry the current one,
        # so the revert is checked against what is stored now like any edit.
        current = getattr(request, "_revert_current", None)
        adminform = context.get("adminform")
        if current is not None and adminform is not None:
            field = adminform.form.fields.get("expected_version")
            if field is not None:
                field.initial = current.version
        return super().render_history_view(request, template, context, **kwargs)

    def save_form(self, request, form, change):
        old = super().save_form(request, form, change)
        current = getattr(request, "_revert_current", None)
        if current is None:
            return old
        restored = type(current)._base_manager.get(pk=current.pk)
        for field in restored._meta.concrete_fields:
            if field.name in form.fields and field.name not in self.revert_locked_fields:
                setattr(restored, field.attname, getattr(old, field.attname))
        restored._expected_version = old.__dict__.pop("_expected_version", None)
        restored._change_reason = _("从历史版本恢复内容")
        form.instance = restored  # save_m2m (tags) writes to the row that is saved
        return restored
