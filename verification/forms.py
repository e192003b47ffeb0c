"""The verify and reopen forms of the admin's verification page, and the page's one step."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources.models import Snapshot

from . import services
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


class UnknownStep(ValueError):
    """The page was posted with an action it does not offer."""


class VerifyPage:
    """The verify page's two forms: record a verdict or reopen one, each checked by the service.

    `submit` takes one POSTed step; a refusal lands on the verify form (rule by rule) or in
    `errors` (a wrong state), and the success message is returned.
    """

    def __init__(self, item):
        self.item = item
        self.verify_form = VerifyForm(item=item)
        self.reopen_form = ReopenForm()
        self.errors: list[str] = []

    def submit(self, data, *, by) -> str | None:
        """Take the step in `data`; returns the success message, or None when it was refused."""
        steps = {"verify": self._verify, "reopen": self._reopen}
        step = steps.get(data.get("action"))
        if step is None:
            raise UnknownStep(data.get("action"))
        try:
            return step(data, by)
        except services.VerificationRefused as refused:
            for refusal in refused.refusals:
                self.verify_form.add_error(None, str(refusal))
        except services.InvalidVerification as refusal:
            self.errors.append(str(refusal))
        return None

    def _verify(self, data, by) -> str | None:
        self.verify_form = VerifyForm(data, item=self.item)
        if not self.verify_form.is_valid():
            return None
        services.verify(self.item, by=by, **self.verify_form.cleaned_data)
        return gettext("已记录核实结论。")

    def _reopen(self, data, by) -> str | None:
        self.reopen_form = ReopenForm(data)
        if not self.reopen_form.is_valid():
            return None
        services.reopen(self.item, by=by, reason=self.reopen_form.cleaned_data["reason"])
        return gettext("已重新打开，这条内容回到“未核实”。")

    def context(self) -> dict:
        """What the page shows: the forms, whether each step is open, citations, evidence, log."""
        item = self.item
        return {
            "item": item,
            "can_verify": item.accepts_verdict,
            "can_reopen": item.accepts_reopening,
            "verify_form": self.verify_form,
            "reopen_form": self.reopen_form,
            "citations": item.citations.select_related("source"),
            "evidence": item.evidence.select_related("source"),
            "log": services.log_for(item),
        }
