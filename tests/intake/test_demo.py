"""The demo's feeds: a newcomer's inbox shows a merged story and a covered-before story."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from intake.demo import load_demo_feeds
from intake.models import Feed, Story

pytestmark = pytest.mark.django_db


def test_demo_inbox_has_a_merged_story_and_a_covered_before_story(analyst_client):
    call_command("demo", stdout=StringIO())
    out = StringIO()

    call_command("intake", "--json", stdout=out)

    printed = json.loads(out.getvalue())
    merged = [s for s in printed if len({e["feed"] for e in s["entries"]}) >= 2]
    assert any({"36氪", "机器之心"} <= {e["feed"] for e in s["entries"]} for s in merged)
    assert any({"Anthropic News", "TechWire"} <= {e["feed"] for e in s["entries"]} for s in merged)
    covered = [s for s in printed if s["covered_before"]]
    assert covered[0]["covered_before"][0]["date"] == "2026-04-08"
    body = analyst_client.get(reverse("admin:intake_inbox")).content.decode()
    assert "已见于 2026-04-08 日报" in body and "机器之心" in body


def test_demo_feeds_load_once_and_are_never_polled():
    first = load_demo_feeds()

    assert first >= 6 and load_demo_feeds() == 0
    assert not Feed.objects.filter(enabled=True).exists()
    assert Story.objects.count() < first
