"""The publish gate: everything that must hold before an issue may be approved or published.

`problems(issue)` returns a list, item by item, of what is wrong and how to fix it. An empty
list means the issue may go out.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from verification.models import PUBLISHABLE_STATUSES


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    fix: str
    item: object = None

    def __str__(self):
        where = f"{self.item._meta.verbose_name} {self.item.rank}: " if self.item else ""
        return f"{where}{self.message} — {self.fix}"


def problems(issue) -> list[Problem]:
    """Every reason the issue may not be published yet, in reading order."""
    from sources.models import Snapshot

    from .models import Issue

    issue = Issue.objects.with_items().get(pk=issue.pk)
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

    cited_source_ids = {c.source_id for item in items for c in item.citations.all()}
    captured = set(
        Snapshot.objects.succeeded()
        .filter(source_id__in=cited_source_ids)
        .values_list("source_id", flat=True)
    )

    for item in items:
        if item.verification_status not in PUBLISHABLE_STATUSES:
            found.append(
                Problem(
                    "verification",
                    _("核实状态是“%(status)s”。")
                    % {"status": item.get_verification_status_display()},
                    _("核实为“已核实”或“部分核实”，写明说明并选择证据快照。"),
                    item,
                )
            )
        citations = item.citations.all()
        if not citations:
            found.append(
                Problem("no_sources", _("没有引用任何来源。"), _("添加至少一个来源。"), item)
            )
        for citation in citations:
            if citation.source_id not in captured:
                found.append(
                    Problem(
                        "snapshot",
                        _("来源“%(label)s”还没有成功的快照。") % {"label": citation.label},
                        _("在来源页面点击“立即抓取”，等待抓取成功。"),
                        item,
                    )
                )
        if (
            item.section == "event"
            and not item.still_relevant
            and (
                item.occurred_on is None
                or not issue.coverage_start <= item.occurred_on <= issue.coverage_end
            )
        ):
            found.append(
                Problem(
                    "coverage",
                    _("发生日期不在覆盖窗口 %(start)s 至 %(end)s 内。")
                    % {"start": issue.coverage_start, "end": issue.coverage_end},
                    _("填写窗口内的发生日期，或勾选“仍具战略影响”。"),
                    item,
                )
            )
    return found
