"""Claims stored per item, the command's JSON, and accepting a figure by hand."""

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from claims import services
from claims.models import Claim, ClaimLog

from ..factories import EventFactory, PaperFactory, SocialSignalFactory, SourceFactory, cite
from .conftest import OPENAI_TEXT, capture

pytestmark = pytest.mark.django_db


def by_text(claims):
    return {c.text: c for c in claims}


def test_refresh_stores_a_claim_per_figure_of_the_factual_fields_only(event):
    claims = by_text(services.refresh_item(event))
    assert set(claims) == {
        "1220 亿美元",
        "2026-03-31",
        "8520 亿美元",
        "约 20 亿美元",
        "超过 30 亿美元",
    }
    assert "5000 亿美元" not in claims  # why it matters is opinion, never checked
    funding = claims["1220 亿美元"]
    assert (funding.field, funding.kind, funding.value, funding.unit) == (
        "title",
        "money",
        122e9,
        "USD",
    )
    assert funding.status == Claim.Status.SUPPORTED
    assert funding.quote_exact == "122 billion US dollars"
    assert OPENAI_TEXT[funding.quote_start : funding.quote_end] == funding.quote_exact
    assert claims["2026-03-31"].date == "2026-03-31"


def test_a_wrong_digit_is_unsupported_and_an_uncaptured_source_unverifiable(source):
    event = EventFactory(title="OpenAI 完成 1200 亿美元融资")
    cite(event, source, captured=False)
    capture(source, OPENAI_TEXT)
    (claim,) = services.refresh_item(event)
    assert claim.status == Claim.Status.UNSUPPORTED
    assert claim.quote_exact == "" and claim.snapshot is None

    other = EventFactory(title="OpenAI 完成 1220 亿美元融资")
    cite(other, SourceFactory(), captured=False)
    (claim,) = services.refresh_item(other)
    assert claim.status == Claim.Status.UNVERIFIABLE


def test_papers_and_signals_are_checked_on_their_own_fields(source):
    capture(source, OPENAI_TEXT)
    signal = SocialSignalFactory(
        headline="资本仍愿意在 8520 亿美元估值上重注", one_line_take="5 倍"
    )
    paper = PaperFactory(name="Bench", what_it_does="2,653 个实例", applications="10 个方向")
    for item in (signal, paper):
        cite(item, source, captured=False)
    assert [c.text for c in services.refresh_item(signal)] == ["8520 亿美元"]
    assert [(c.text, c.status) for c in services.refresh_item(paper)] == [
        ("2,653 个", Claim.Status.UNSUPPORTED)
    ]


def test_refresh_keeps_an_acceptance_and_drops_figures_no_longer_written(event, analyst):
    event.title = "OpenAI 完成 1200 亿美元融资"
    event.save()
    claim = by_text(services.refresh_item(event))["1200 亿美元"]
    services.accept(claim, by=analyst, note="已电话向公司确认。")

    claims = by_text(services.refresh_item(event))
    assert claims["1200 亿美元"].is_accepted and not claims["1200 亿美元"].needs_attention

    event.title = "OpenAI 完成新一轮融资"
    event.save()
    assert "1200 亿美元" not in by_text(services.refresh_item(event))
    assert not Claim.objects.filter(text="1200 亿美元").exists()


def test_accepting_needs_the_verify_permission_and_a_note_and_is_logged(event, analyst):
    from ..factories import UserFactory

    claim = services.refresh_item(event)[0]
    with pytest.raises(PermissionDenied):
        services.accept(claim, by=UserFactory(), note="看过了")
    with pytest.raises(services.InvalidAcceptance):
        services.accept(claim, by=analyst, note="   ")
    with pytest.raises(services.InvalidAcceptance):
        services.accept(claim, by=analyst, note="x" * 2001)
    assert not ClaimLog.objects.exists()

    services.accept(claim, by=analyst, note="年报第 3 页")
    claim.refresh_from_db()
    assert (claim.accepted_by, claim.accepted_note) == (analyst, "年报第 3 页")
    with pytest.raises(services.InvalidAcceptance):
        services.accept(claim, by=analyst, note="再确认一次")
    services.revoke(claim, by=analyst, note="公司更正了数字")
    claim.refresh_from_db()
    assert not claim.is_accepted
    assert [(e.action, e.actor, e.note) for e in services.log_for(event)] == [
        ("revoked", analyst, "公司更正了数字"),
        ("accepted", analyst, "年报第 3 页"),
    ]


def run(*args):
    out = StringIO()
    call_command("check_claims", *args, stdout=out)
    return out.getvalue()


def test_check_claims_prints_one_json_object_per_claim(event, source):
    SocialSignalFactory(issue=event.issue, rank=1, headline="估值 8520 亿美元")
    rows = json.loads(run(str(event.issue.date), "--json"))
    assert rows[0] == {
        "item": "event-1" if event.rank == 1 else f"event-{event.rank}",
        "field": "title",
        "text": "1220 亿美元",
        "kind": "money",
        "value": 122000000000.0,
        "unit": "USD",
        "date": None,
        "status": "supported",
        "source": source.url,
        "quote": {
            "exact": "122 billion US dollars",
            "prefix": rows[0]["quote"]["prefix"],
            "suffix": " in committed capital, at a post",
        },
    }
    assert rows[0]["quote"]["prefix"].endswith("OpenAI closed a round with ")
    date = next(r for r in rows if r["kind"] == "date")
    assert (date["value"], date["date"]) == (None, "2026-03-31")
    signal = rows[-1]
    assert (signal["item"], signal["status"], signal["source"], signal["quote"]) == (
        "signal-1",
        "unverifiable",
        None,
        None,
    )


def test_check_claims_without_json_prints_a_line_per_claim_and_refuses_unknown_dates(event):
    from django.core.management.base import CommandError

    assert "title: 1220 亿美元 [supported]" in run(str(event.issue.date))
    with pytest.raises(CommandError):
        run("2020-01-01")
    with pytest.raises(CommandError):
        run("not-a-date")


def test_a_refresh_running_while_an_editor_accepts_keeps_the_acceptance(
    event, analyst, monkeypatch
):
    event.title = "OpenAI 完成 1200 亿美元融资"
    event.save()
    claim = by_text(services.refresh_item(event))["1200 亿美元"]
    row, calls = services._row, []

    def accept_meanwhile(verdict, occurrence, position):
        # The refresh has read the rows; the editor's acceptance lands before it writes them.
        if not calls:
            services.accept(claim, by=analyst, note="已电话确认。")
        calls.append(position)
        return row(verdict, occurrence, position)

    monkeypatch.setattr(services, "_row", accept_meanwhile)
    services.refresh_item(event)
    claim.refresh_from_db()
    assert claim.is_accepted and claim.accepted_note == "已电话确认。"
