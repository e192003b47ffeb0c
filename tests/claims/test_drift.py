"""A recaptured page that no longer states a figure reopens the item with that reason."""

import pytest

from claims import services
from claims.models import Claim, ClaimLog
from sources.signals import source_changed
from verification import services as verification
from verification.models import VerificationStatus

from .conftest import OPENAI_TEXT, capture

pytestmark = pytest.mark.django_db


def recapture(source, text, previous):
    snapshot = capture(source, text)
    source_changed.send(sender=type(source), source=source, snapshot=snapshot, previous=previous)
    return snapshot


@pytest.fixture
def verified_event(event, analyst):
    snapshots = list(event.citations.get().source.snapshots.all())
    verification.verify(
        event, by=analyst, outcome="verified", note="对照官方公告核实。", evidence=snapshots
    )
    services.refresh_item(event)
    return event


def test_a_figure_the_new_capture_no_longer_states_is_the_reason_for_reopening(
    django_capture_on_commit_callbacks, verified_event, source
):
    old = source.snapshots.get()
    with django_capture_on_commit_callbacks(execute=True):
        recapture(source, OPENAI_TEXT.replace("122 billion", "120 billion"), old)

    verified_event.refresh_from_db()
    assert verified_event.verification_status == VerificationStatus.UNVERIFIED
    reason = verification.log_for(verified_event).first().reason
    assert reason.startswith("“1220 亿美元”（标题）原来有依据“122 billion US dollars”")
    assert "页面现在写的是“120 billion US dollars”" in reason
    assert "8520 亿美元" not in reason  # still stated: not a reason
    drifted = ClaimLog.objects.filter(action=ClaimLog.Action.DRIFTED)
    assert {entry.text for entry in drifted} == {"1220 亿美元"}

    title = Claim.objects.get(field="title")
    assert title.status == Claim.Status.UNSUPPORTED  # the stored check follows the new text


def test_a_change_that_keeps_every_figure_gives_the_plain_reason(
    django_capture_on_commit_callbacks, verified_event, source
):
    old = source.snapshots.get()
    with django_capture_on_commit_callbacks(execute=True):
        recapture(source, OPENAI_TEXT + "\nA new paragraph.", old)

    reason = verification.log_for(verified_event).first().reason
    assert reason.startswith("来源“OpenAI”")
    assert not ClaimLog.objects.exists()
    assert Claim.objects.get(field="title").status == Claim.Status.SUPPORTED


def test_a_failing_explanation_does_not_stop_the_reopening(
    django_capture_on_commit_callbacks, verified_event, source, monkeypatch
):
    from claims import drift

    def broken(item, old, new):
        raise RuntimeError("unreadable")

    monkeypatch.setattr(drift, "lost_support", broken)
    old = source.snapshots.get()
    with django_capture_on_commit_callbacks(execute=True):
        recapture(source, OPENAI_TEXT.replace("122 billion", "120 billion"), old)
    verified_event.refresh_from_db()
    assert verified_event.verification_status == VerificationStatus.UNVERIFIED
