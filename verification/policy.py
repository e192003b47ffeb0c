"""The evidence rules: DEFAULT_RULES, or settings.AIDAILY_VERIFICATION["RULES"] when set.

Each rule is a named check over the outcome, the public note and the chosen snapshots. The
settings say which outcomes (and which item sections) a rule applies to, so a newsroom can
tighten or relax its policy without code. Every refusal names the rule it enforces.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sources.models import Source
from sources.normalise import normalise_url

from .models import VerificationStatus

V = VerificationStatus

#: The newsroom's policy: which rule applies to which outcomes (and item sections). A "RULES"
#: entry in settings.AIDAILY_VERIFICATION replaces it.
DEFAULT_RULES = {
    "public_note": {"outcomes": [V.VERIFIED, V.PARTIALLY_VERIFIED]},
    "cited_snapshot": {"outcomes": [V.VERIFIED, V.PARTIALLY_VERIFIED]},
    "official_or_two_publishers": {"outcomes": [V.VERIFIED], "sections": ["event"]},
    "beyond_the_post": {"outcomes": [V.VERIFIED, V.PARTIALLY_VERIFIED], "sections": ["signal"]},
}

RULE_LABELS = {
    "public_note": gettext_lazy("公开说明"),
    "cited_snapshot": gettext_lazy("引用来源的成功快照"),
    "official_or_two_publishers": gettext_lazy("官方来源或两家不同发布方"),
    "beyond_the_post": gettext_lazy("帖文之外的证据"),
    "evidence_belongs_to_item": gettext_lazy("证据必须来自本条引用的来源"),
}


@dataclass(frozen=True)
class Refusal:
    """One rule the proposed verification breaks, with a message a person can act on."""

    rule: str
    message: str

    @property
    def label(self) -> str:
        return str(RULE_LABELS.get(self.rule, self.rule))

    def __str__(self):
        return _("规则“%(rule)s”：%(message)s") % {"rule": self.label, "message": self.message}


@dataclass(frozen=True)
class Proposal:
    """What is being checked: the item, the outcome, the public note and the evidence."""

    item: object
    outcome: str
    note: str
    snapshots: list
    cited_sources: list


def _publisher_key(source: Source) -> str:
    """Publishers compare case-insensitively; a source without one counts as its host."""
    return (source.publisher or "").strip().casefold() or source.host


def check_public_note(p: Proposal) -> str | None:
    if not p.note.strip():
        return _("请写下读者会看到的核实说明（验证状态）。")
    return None


def check_cited_snapshot(p: Proposal) -> str | None:
    cited = {s.pk for s in p.cited_sources}
    if not any(s.status == "succeeded" and s.source_id in cited for s in p.snapshots):
        return _("至少选择一个本条所引用来源的成功快照作为证据；如果还没有快照，请先抓取来源。")
    return None


def check_official_or_two_publishers(p: Proposal) -> str | None:
    sources = [s.source for s in p.snapshots]
    if any(s.kind == Source.Kind.OFFICIAL for s in sources):
        return None
    if len({_publisher_key(s) for s in sources}) >= 2:
        return None
    return _(
        "“已核实”的大事件需要一个官方来源的快照，或者两家不同发布方的快照；"
        "否则请选择“部分核实”或补充来源。"
    )


def _is_the_post(item, source: Source) -> bool:
    post_url = getattr(item, "post_url", "")
    if post_url:
        return source.url == normalise_url(post_url)
    return source.kind == Source.Kind.SOCIAL


def check_beyond_the_post(p: Proposal) -> str | None:
    if any(not _is_the_post(p.item, s.source) for s in p.snapshots):
        return None
    return _("帖文本身不能证明它自己：请再选择一个帖文之外的来源（如官方公告、报道或论文）的快照。")


CHECKS: dict[str, Callable[[Proposal], str | None]] = {
    "public_note": check_public_note,
    "cited_snapshot": check_cited_snapshot,
    "official_or_two_publishers": check_official_or_two_publishers,
    "beyond_the_post": check_beyond_the_post,
}


def declared_rules() -> dict:
    """The rules as declared, not yet checked: settings' "RULES", else DEFAULT_RULES."""
    config = getattr(settings, "AIDAILY_VERIFICATION", {}) or {}
    return config.get("RULES", DEFAULT_RULES)


def configured_rules() -> dict:
    """The rules in force: settings.AIDAILY_VERIFICATION["RULES"], else the defaults."""
    rules = declared_rules()
    unknown = set(rules) - set(CHECKS)
    if unknown:
        raise ValueError(f"Unknown verification rules in settings: {sorted(unknown)}")
    return rules


def _applies(rule: dict, outcome: str, section: str) -> bool:
    sections = rule.get("sections")
    return outcome in rule.get("outcomes", ()) and (not sections or section in sections)


def invalid_evidence(item, snapshots: Iterable, cited_sources: Iterable) -> list[Refusal]:
    """Evidence must be succeeded captures of sources the item cites, whatever the policy."""
    cited = {s.pk for s in cited_sources}
    refusals = []
    for snapshot in snapshots:
        if snapshot.source_id not in cited:
            refusals.append(
                Refusal(
                    "evidence_belongs_to_item",
                    _("快照 #%(id)s 属于本条没有引用的来源。") % {"id": snapshot.pk},
                )
            )
        elif snapshot.status != "succeeded":
            refusals.append(
                Refusal(
                    "evidence_belongs_to_item",
                    _("快照 #%(id)s 没有抓取成功，不能作为证据。") % {"id": snapshot.pk},
                )
            )
    return refusals


def refusals(item, *, outcome: str, note: str, snapshots, cited_sources) -> list[Refusal]:
    """Every rule the proposed verification breaks; empty when it may be recorded."""
    snapshots, cited_sources = list(snapshots), list(cited_sources)
    found = invalid_evidence(item, snapshots, cited_sources)
    proposal = Proposal(item, outcome, note or "", snapshots, cited_sources)
    section = getattr(item, "section", "")
    for name, rule in configured_rules().items():
        if _applies(rule, outcome, section):
            message = CHECKS[name](proposal)
            if message:
                found.append(Refusal(name, message))
    return found


def fresh_capture_max_age_hours() -> float:
    """How old the newest successful capture of a cited source may be when the gate runs."""
    config = getattr(settings, "AIDAILY_VERIFICATION", {}) or {}
    return float(config.get("FRESH_CAPTURE_MAX_AGE_HOURS", 12))
