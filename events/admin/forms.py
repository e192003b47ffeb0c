"""Admin forms that refuse to overwrite someone else's concurrent edit."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .. import ranking
from ..models.editable import ConcurrentEditError


class VersionCheckedForm(forms.ModelForm):
    """Carries the version the editor loaded; a save based on an older version is refused.

    The refusal lists what the other person changed (from the history), so nothing is silently
    overwritten and the editor can merge by hand.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["loaded_at"].initial = timezone.now().isoformat()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        expected = cleaned.get("expected_version")
        stored = (
            type(self.instance)
            ._base_manager.filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if expected is not None and stored is not None and stored != expected:
            raise forms.ValidationError(self._conflict_message(cleaned.get("loaded_at")))
        return cleaned

    def _conflict_message(self, loaded_at) -> str:
        since = parse_datetime(loaded_at or "")
        lines = [_("保存被拒绝：在你打开这页之后，别人已经修改并保存了这条内容。")]
        history = getattr(self.instance, "history", None)
        if since is not None and history is not None:
            records = history.order_by("history_date")
            before = records.filter(history_date__lte=since).last()
            after = records.last()
            if before is not None and after is not None and after.pk != before.pk:
                who = after.history_user or _("某人")
                lines.append(_("%(who)s 修改了：") % {"who": who})
                for change in after.diff_against(before).changes:
                    label = self.instance._meta.get_field(change.field).verbose_name
                    lines.append(f"· {label}: “{change.old}” → “{change.new}”")
        lines.append(_("请复制你的修改，刷新页面后重新编辑。"))
        return "\n".join(str(line) for line in lines)

    def save(self, commit=True):
        self.instance._expected_version = self.cleaned_data.get("expected_version")
        return super().save(commit=commit)


class ConcurrentEditAdminMixin:
    """Turns a save that lost the race at the database (after the form's own check) into a
    message and a fresh page, instead of a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEditError:
            messages.error(request, _("保存被拒绝：别人刚刚保存了同一条内容。请刷新后重新编辑。"))
            return HttpResponseRedirect(request.get_full_path())


class ItemForm(VersionCheckedForm):
    """An item's own page: a rank another item holds is a place to move to, not an error."""

    def _get_validation_exclusions(self):
        # The (issue, rank) constraint is left to ItemAdmin.save_model, which makes room at
        # that rank; the form field still refuses what is not a positive number.
        return {*super()._get_validation_exclusions(), "rank"}

    def clean(self):
        cleaned = super().clean()
        issue = cleaned.get("issue")
        moving_in = issue is not None and issue.pk != self.instance.issue_id
        model = self._meta.model
        if moving_in and ranking.section_is_full(model, issue.pk, moving_pk=self.instance.pk):
            raise forms.ValidationError(
                _("这一期的“%(section)s”已有 %(max)d 条，达到每栏上限。")
                % {"section": model._meta.verbose_name_plural, "max": ranking.MAX_ITEMS_PER_SECTION}
            )
        return cleaned
