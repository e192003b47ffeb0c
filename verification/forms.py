"""The verify and reopen forms of the admin's verification page."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sources.models import Snapshot

from .models import OUTCOMES
from .services import MAX_NOTE


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, snapshot):
        when = timezone.localtime(snapshot.finished_at) if snapshot.finished_at else None
        return "{source} · {when} · #{id} · sha256 {digest}…".format(
            source=snapshot.source.publisher or snapshot.source.host,
            when=f"{when:%Y-%m-%d %H:%M}" if when else "—",
            id=snapshot.pk,
            digest=snapshot.content_hash()[:12],
        )


class VerifyForm(forms.Form):
    """Outcome, the public note, and evidence picked from the item's cited sources' captures."""

    outcome = forms.ChoiceField(
        label=_("核实结论"),
        choices=[(status.value, status.label) for status in OUTCOMES],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("验证状态说明（读者可见）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_NOTE,
        help_text=_("例如：帖文本身是分析判断；相关融资事实已被 OpenAI 官方公告验证。"),
    )
    evidence = EvidenceChoiceField(
        label=_("证据快照"),
        queryset=Snapshot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只列出本条所引用来源的成功抓取。"),
    )

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = (
            Snapshot.objects.succeeded()
            .filter(source__in=[s.pk for s in item.cited_sources()])
            .select_related("source")
            .order_by("source__publisher", "source_id", "-finished_at", "-pk")
        )
        if not self.is_bound:
            self.fields["note"].initial = item.verification_note


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("重新打开的原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_NOTE,
        help_text=_("会记入核实记录。"),
    )
