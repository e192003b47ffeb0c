"""The publish gate names unsupported figures: blocking for events, a warning elsewhere."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims import services
from events import gate

from ..factories import PaperFactory, SourceFactory, cite, publishable_issue
from .conftest import OPENAI_TEXT, capture

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue():
    """A publishable issue whose event and paper cite a page stating $122 billion."""
    issue = publishable_issue(events=1, signals=0, papers=1)
    source = SourceFactory(official=True)
    capture(source, OPENAI_TEXT)
    for item in issue.items():
        cite(item, source, captured=False)
    return issue


def claim_problems(issue):
    return [p for p in gate.problems(issue) if p.code == "claim"]


def test_a_publishable_issue_with_supported_figures_passes(issue):
    event = issue.events.get()
    event.key_facts = "融资 1220 亿美元"
    event.save()
    assert gate.problems(issue) == []


def test_an_unsupported_figure_of_an_event_blocks_and_the_gate_names_it(issue):
    event = issue.events.get()
    event.key_facts = "融资 1200 亿美元"
    event.save()
    (problem,) = claim_problems(issue)
    assert problem.item == event
    assert "“1200 亿美元”（关键信息）" in str(problem)

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("gate", str(issue.date), stdout=out)
    assert "1200 亿美元" in out.getvalue()


def test_a_paper_only_warns_unless_the_setting_says_papers_block(issue, settings):
    paper = issue.papers.get()
    paper.what_is_new = "覆盖 2,653 个实例"
    paper.save()
    assert claim_problems(issue) == []
    (warning,) = gate.claim_warnings(issue)
    assert warning.item == paper and "2,653 个" in warning.message

    out = StringIO()
    call_command("gate", str(issue.date), stdout=out)  # passes: a warning does not block
    assert "提醒：" in out.getvalue() and "2,653 个" in out.getvalue()

    settings.AIDAILY_CLAIMS = {"BLOCK_SECTIONS": ["event", "paper"]}
    assert [p.item for p in claim_problems(issue)] == [paper]


def test_a_figure_accepted_by_hand_no_longer_blocks(issue, analyst):
    event = issue.events.get()
    event.key_facts = "融资 1200 亿美元"
    event.save()
    (claim,) = services.refresh_item(event)
    services.accept(claim, by=analyst, note="公司财报电话会上确认。")
    assert claim_problems(issue) == []


def test_an_extra_paper_with_an_uncaptured_source_is_not_a_claim_problem(issue):
    paper = PaperFactory(issue=issue, rank=2, what_is_new="1220 亿美元", verified=True)
    cite(paper, SourceFactory(), captured=False)
    codes = {p.code for p in gate.problems(issue) if p.item == paper}
    assert "claim" not in codes and "snapshot" in codes
