"""The demo: its published issue checks clean on the shipped evidence; its draft does not."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from events import gate
from events.models import Issue

pytestmark = pytest.mark.django_db


def test_the_published_sample_checks_clean_and_the_draft_has_a_figure_the_gate_names():
    call_command("demo", stdout=StringIO())

    out = StringIO()
    call_command("check_claims", "2026-04-08", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert len(rows) >= 25
    assert {r["status"] for r in rows} == {"supported"}
    assert {r["item"] for r in rows} >= {"event-1", "event-5", "signal-1", "paper-3"}
    assert all(r["quote"]["exact"] and r["source"] for r in rows)

    out = StringIO()
    call_command("check_claims", "2026-04-09", "--json", stdout=out)
    wrong = [r for r in json.loads(out.getvalue()) if r["status"] == "unsupported"]
    assert "超过 3000 亿美元" in {r["text"] for r in wrong}

    draft = Issue.objects.get(date="2026-04-09")
    named = [str(p) for p in gate.problems(draft) if p.code == "claim"]
    assert any("超过 3000 亿美元" in line for line in named)
