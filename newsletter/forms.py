from django import forms
from django.utils.translation import gettext_lazy as _


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("邮箱"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.com"}),
    )
    #: A honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(
        label=_("网站（请留空）"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


#: The largest subscriber CSV read into memory at once.
MAX_IMPORT_BYTES = 10 * 1024 * 1024


class CsvImportForm(forms.Form):
    file = forms.FileField(label=_("CSV 文件"), help_text=_("UTF-8 编码，第一行包含 email 列。"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("文件太大（最多 10 MB）。"))
        return upload
