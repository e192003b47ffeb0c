"""The form an editor uses to accept a figure as checked by hand (or withdraw that)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_NOTE


class AcceptForm(forms.Form):
    claim = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(choices=[("accept", _("人工确认")), ("revoke", _("撤销确认"))])
    note = forms.CharField(
        label=_("依据"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写明在哪里、如何核对了这个数字，会记录在核对记录中。"),
    )
