"""`manage.py gate DATE`, and an imported issue that cannot be approved until verified."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from events import gate, workflow
from events.models import Issue
from sources.models import Source
from verification import services

from ..factories import IssueFactory, SnapshotFactory
from ..seed import seed_path
from .helpers import snapshots_of

pytestmark = pytest.mark.django_db


def run_gate(date):
    """(exit code, stdout lines) of `gate DATE`."""
    out = StringIO()
    try:
        call_command("gate", date, stdout=out)
    except CommandError as failure:
        return failure.returncode, out.getvalue().splitlines(), str(failure)
    return 0, out.getvalue().splitlines(), ""


@pytest.fixture
def imported(tmp_path):
    call_command("import_issue", str(seed_path()), stdout=tmp_path.joinpath("out").open("w"))
    return Issue.objects.get(date="2026-04-08")


def test_an_imported_issue_cannot_be_approved_until_each_item_is_verified(
    imported, analyst, editor
):
    items = imported.items()
    assert len(items) == 11
    assert {item.verification_status for item in items} == {"unverified"}

    code, lines, summary = run_gate("2026-04-08")
    assert code == 1
    assert "不能发布" in summary
    for item in items:
        prefix = f"{item._meta.verbose_name} {item.rank}: 核实状态是“未核实”"
        assert any(line.startswith(prefix) for line in lines), prefix

    workflow.perform(imported, "submit", by=analyst)
    with pytest.raises(workflow.InvalidTransition) as refused:
        workflow.perform(imported, "approve", by=editor)
    refused_items = {p.item for p in refused.value.problems if p.code == "verification"}
    assert refused_items == set(items)

    # capture every cited source, then verify each item with its evidence
    for source in Source.objects.all():
        SnapshotFactory(source=source)
    for item in items:
        kinds = {c.source.kind for c in item.citations.all()}
        outcome = (
            "verified" if item.section != "event" or "official" in kinds else "partially_verified"
        )
        services.verify(
            item, by=analyst, outcome=outcome, note="已核实。", evidence=snapshots_of(item)
        )
        # verifying one item leaves the others listed
        code, lines, _ = run_gate("2026-04-08")
        assert not any(f"{item._meta.verbose_name} {item.rank}: 核实" in line for line in lines)
    for problem in gate.problems(imported):
        assert problem.code == "coverage"  # events the window does not cover are flagged by hand
        problem.item.still_relevant = True
        problem.item.save()

    code, lines, _ = run_gate("2026-04-08")
    assert (code, lines) == (0, ["2026-04-08 的日报通过发布检查。"])
    workflow.perform(imported, "approve", by=editor)
    assert imported.status == Issue.Status.APPROVED


def test_gate_for_a_day_without_an_issue_says_so():
    code, _, summary = run_gate("2030-01-01")
    assert code == 2
    assert "没有日报" in summary


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "'; DROP TABLE events_issue; --"])
def test_gate_refuses_a_malformed_date(bad):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("gate", bad)


def test_gate_today_reads_the_shanghai_date(time_machine):
    IssueFactory(date=datetime.date(2026, 4, 9))
    # 2026-04-08 17:00 UTC is already 2026-04-09 01:00 in Shanghai
    time_machine.move_to(datetime.datetime(2026, 4, 8, 17, 0, tzinfo=datetime.UTC), tick=False)
    code, lines, _ = run_gate("today")
    assert code == 1
    assert any("这一期还没有任何内容" in line for line in lines)
