"""Two verdicts, or two deliveries of one change, at once: one wins, the log stays true."""

import pytest

from sources.signals import source_changed
from verification import services
from verification.models import VerificationLog

from ..events.test_concurrency import run_at_once
from ..factories import AnalystFactory, EventFactory, SnapshotFactory, SourceFactory, cite
from .helpers import snapshots_of, verify_all

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_analysts_verifying_at_once_record_one_verdict(postgres):
    event = EventFactory()
    cite(event, SourceFactory(official=True))
    first, second = AnalystFactory(), AnalystFactory()
    evidence = [s.pk for s in snapshots_of(event)]

    def verify(user, outcome):
        return lambda: services.verify(
            type(event).objects.get(pk=event.pk),
            by=user,
            outcome=outcome,
            note=f"{user.username} 的结论",
            evidence=evidence,
        )

    outcomes = run_at_once(verify(first, "verified"), verify(second, "disputed"))
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, services.InvalidVerification)
    assert "重新打开" in str(error)
    event.refresh_from_db()
    log = VerificationLog.objects.get()
    assert (log.to_status, log.actor) == (event.verification_status, event.verified_by)
    assert event.verification_note == f"{event.verified_by.username} 的结论"


def test_one_change_delivered_twice_at_once_reopens_once(postgres):
    event = EventFactory()
    source = SourceFactory(official=True)
    cite(event, source)
    verify_all(event.issue, AnalystFactory())
    new = SnapshotFactory(source=source)

    def deliver():
        return source_changed.send(sender=type(source), source=source, snapshot=new, previous=None)

    outcomes = run_at_once(deliver, deliver)
    assert [kind for kind, _ in outcomes] == ["ok", "ok"]
    event.refresh_from_db()
    assert event.verification_status == "unverified"
    assert VerificationLog.objects.filter(to_status="unverified").count() == 1
