"""The publish gate: everything that must hold before an issue may be approved or published.

`problems(issue)` returns a list, item by item, of what is wrong and how to fix it. An empty
list means the issue may go out. Item verdicts are re-checked against verification's evidence
rules, and every cited source needs a successful capture younger than the configured age.
Every figure of an item's factual fields must be found in its cited captures (claims app) or
accepted by hand; `claim_warnings` lists those of sections that only warn.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims import services as claims
from verification import policy
from verification.models import PUBLISHABLE_STATUSES, Evidence, VerificationLog
from verification.models import VerificationStatus as V

from .sections import BY_KEY, SECTIONS


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    fix: str
    item: object = None
    source: object = None

    def __str__(self):
        where = f"{self.item._meta.verbose_name} {self.item.rank}: " if self.item else ""
        return f"{where}{self.message} — {self.fix}"


STATUS_FIXES = {
    V.UNVERIFIED: gettext_lazy("核实它：选择结论“已核实”或“部分核实”，写明说明并选择证据快照。"),
    V.DISPUTED: gettext_lazy(
        "存在争议的内容不能发布：补充证据后重新打开并重新核实，或从这一期删除。"
    ),
    V.REFUTED: gettext_lazy("已证伪的内容不能发布：从这一期删除，或改写后重新打开并重新核实。"),
    V.UNVERIFIABLE: gettext_lazy(
        "无法核实的内容不能发布：找到可抓取的证据后重新核实，或从这一期删除。"
    ),
}


def _load(issue):
    """The issue with items, citations, sources and evidence: one query per relation."""
    from sources.models import Snapshot

    from .models import Issue

    evidence = Snapshot.objects.select_related("source").order_by("pk")
    lookups = [Prefetch(f"{kind.relation}__evidence", queryset=evidence) for kind in SECTIONS]
    return Issue.objects.with_items().prefetch_related(*lookups).get(pk=issue.pk)


def latest_captures(source_ids) -> dict:
    """source id → (finished_at, content hash) of its newest successful capture, in one query."""
    from sources.models import Snapshot

    newest = Snapshot.objects.newest_successful_of(source_ids).only(
        "source", "finished_at", "text_sha256", "sha256"
    )
    return {s.source_id: (s.finished_at, s.content_hash()) for s in newest}


def _recorded(items) -> tuple[set, dict, dict]:
    """Items whose verdict went through verification.services, and their standing evidence."""
    types = {type(item): ContentType.objects.get_for_model(type(item)) for item in items}
    keys = {(types[type(item)].pk, item.pk) for item in items}
    ids = {item.pk for item in items}
    logged = {
        key
        for key in VerificationLog.objects.filter(object_id__in=ids).values_list(
            "content_type_id", "object_id"
        )
        if key in keys
    }
    evidence: dict[tuple, list] = {}
    for row in Evidence.objects.filter(object_id__in=ids, current=True).select_related("source"):
        key = (row.content_type_id, row.object_id)
        if key in keys:
            evidence.setdefault(key, []).append(row)
    return logged, evidence, types


def _verification_problems(item, cited, recorded, evidence_rows, latest) -> list[Problem]:
    status = item.verification_status
    if status not in PUBLISHABLE_STATUSES:
        return [
            Problem(
                "verification",
                _("核实状态是“%(status)s”。") % {"status": item.get_verification_status_display()},
                str(STATUS_FIXES.get(status, STATUS_FIXES[V.UNVERIFIED])),
                item,
            )
        ]
    return _evidence_problems(item, cited, recorded) + _outdated_evidence(
        item, evidence_rows, latest
    )


def _evidence_problems(item, cited, recorded) -> list[Problem]:
    """A recorded verdict must still satisfy the rules in force (a citation or the note may
    have been edited since); one set by other means must at least say why."""
    if not recorded:
        if item.verification_note.strip():
            return []
        return [
            Problem(
                "evidence",
                _("没有读者可见的核实说明。"),
                _("重新打开并重新核实，写明核实说明。"),
                item,
            )
        ]
    refusals = policy.refusals(
        item,
        outcome=item.verification_status,
        note=item.verification_note,
        snapshots=item.evidence.all(),
        cited_sources=cited,
    )
    fix = _("重新打开这条内容，按规则补充说明或证据后重新核实。")
    return [Problem("evidence", str(refusal), fix, item) for refusal in refusals]


def _outdated_evidence(item, evidence_rows, latest) -> list[Problem]:
    """Evidence whose source's newest capture no longer holds the content verified."""
    found = []
    for row in evidence_rows:
        capture = latest.get(row.source_id)
        if capture and capture[1] and row.content_hash() and capture[1] != row.content_hash():
            found.append(
                Problem(
                    "evidence_outdated",
                    _("证据来源“%(source)s”在核实之后内容有变化。")
                    % {"source": row.source.publisher or row.source.url},
                    _("重新打开这条内容，对照最新快照重新核实。"),
                    item,
                    row.source,
                )
            )
    return found


def _source_problems(item, citations, latest, now, max_age) -> list[Problem]:
    if not citations:
        return [Problem("no_sources", _("没有引用任何来源。"), _("添加至少一个来源。"), item)]
    found = []
    for citation in citations:
        capture = latest.get(citation.source_id)
        if capture is None:
            found.append(
                Problem(
                    "snapshot",
                    _("来源“%(label)s”还没有成功的快照。") % {"label": citation.label},
                    _("在来源页面点击“立即抓取”，等待抓取成功。"),
                    item,
                    citation.source,
                )
            )
        elif capture[0] is not None and now - capture[0] > max_age:
            hours = int((now - capture[0]).total_seconds() // 3600)
            found.append(
                Problem(
                    "stale_snapshot",
                    _("来源“%(label)s”最近一次成功抓取是 %(hours)d 小时前，超过了 %(max)d 小时。")
                    % {
                        "label": citation.label,
                        "hours": hours,
                        "max": max_age.total_seconds() // 3600,
                    },
                    _("发布前重新抓取这个来源（“立即抓取”），成功后再批准或发布。"),
                    item,
                    citation.source,
                )
            )
    return found


def _coverage_problem(issue, item) -> list[Problem]:
    if not BY_KEY[item.section].dated or item.still_relevant:
        return []
    when = item.occurred_on
    if when is not None and issue.coverage_start <= when <= issue.coverage_end:
        return []
    return [
        Problem(
            "coverage",
            _("发生日期不在覆盖窗口 %(start)s 至 %(end)s 内。")
            % {"start": issue.coverage_start, "end": issue.coverage_end},
            _("填写窗口内的发生日期，或勾选“仍具战略影响”。"),
            item,
        )
    ]


def claim_problems(items) -> tuple[list[Problem], list[Problem]]:
    """Figures no cited capture bears out and no editor accepted: (blocking, warnings).

    Which sections block is a setting; by default an event's figures must all be found, while a
    signal's or a paper's only warn.
    """
    blocking_sections = set(settings.AIDAILY_CLAIMS["BLOCK_SECTIONS"])
    found: tuple[list, list] = ([], [])
    for item, verdict in claims.unsupported(items):
        problem = Problem(
            "claim",
            _("“%(text)s”（%(field)s）在引用来源的快照中找不到。")
            % {
                "text": verdict.figure.text,
                "field": item._meta.get_field(verdict.field).verbose_name,
            },
            _("改正这个数字，或补充写明它的来源；确已人工核对的，在内容页面确认并写明依据。"),
            item,
        )
        found[0 if item.section in blocking_sections else 1].append(problem)
    return found


def claim_warnings(issue) -> list[Problem]:
    """Unsupported figures in sections that do not block publishing."""
    return claim_problems(_load(issue).items())[1]


#: Checks that apps above events add (a publishing channel's limits): issue → list[Problem].
_added_checks: list = []


def add_check(check):
    """Let an app above events add its own reasons to hold an issue back; adds a check once."""
    if check not in _added_checks:
        _added_checks.append(check)
    return check


def _added_problems(issue) -> list[Problem]:
    return [problem for check in _added_checks for problem in check(issue)]


def problems(issue, *, now=None) -> list[Problem]:
    """Every reason the issue may not be published yet, in reading order."""
    issue = _load(issue)
    found = _standing_problems(issue, now) + claim_problems(issue.items())[0]
    return found + _added_problems(issue)


def warnings(issue) -> list[Problem]:
    """What editors should look at before publishing, though it does not hold the issue back:
    cited captures cut short, and the unsupported figures of sections whose claims only warn."""
    issue = _load(issue)
    return _cut_short(issue) + claim_problems(issue.items())[1]


def review(issue, *, now=None) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings) together, for the pages that show both: the claim check reads every
    cited capture's text, and it runs once here instead of once for each list."""
    issue = _load(issue)
    blocking, warned = claim_problems(issue.items())
    found = _standing_problems(issue, now) + blocking + _added_problems(issue)
    return found, _cut_short(issue) + warned


def _standing_problems(issue, now) -> list[Problem]:
    """The gate's rules other than the claim check, on an issue loaded by _load."""
    now = now or timezone.now()
    max_age = timedelta(hours=policy.fresh_capture_max_age_hours())
    found: list[Problem] = []

    conclusions = len(issue.conclusions.all())
    if conclusions != 3:
        found.append(
            Problem(
                "conclusions",
                _("今日三条结论现在有 %(count)d 条。") % {"count": conclusions},
                _("写满且只写三条结论。"),
            )
        )

    items = issue.items()
    if not items:
        found.append(Problem("empty", _("这一期还没有任何内容。"), _("至少添加一条大事件。")))
        return found

    latest = latest_captures({c.source_id for item in items for c in item.citations.all()})
    recorded, evidence, types = _recorded(items)
    for item in items:
        key = (types[type(item)].pk, item.pk)
        citations = list(item.citations.all())
        found += _verification_problems(
            item,
            [c.source for c in citations],
            key in recorded,
            evidence.get(key, []),
            latest,
        )
        found += _source_problems(item, citations, latest, now, max_age)
        found += _coverage_problem(issue, item)
    return found


def _cut_short(issue) -> list[Problem]:
    """Cited sources whose newest successful capture was cut short (past SNAPSHOT_MAX_BYTES or
    the time limit), so the passage cited may not be in the archived copy."""
    from sources.models import Snapshot

    citations = [(item, c) for item in issue.items() for c in item.citations.all()]
    newest = Snapshot.objects.newest_successful_of({c.source_id for _item, c in citations})
    cut = set(newest.filter(truncated=True).values_list("source_id", flat=True))
    return [
        Problem(
            "truncated_snapshot",
            _("来源“%(label)s”的最新快照不完整：页面超过大小或时间上限，只保存了前面一部分。")
            % {"label": citation.label},
            _("打开存档副本，确认引用的内容在保存的部分里。"),
            item,
            citation.source,
        )
        for item, citation in citations
        if citation.source_id in cut
    ]
