"""With the real capture pipeline: a page that changes reopens the verdict that relied on it."""

import pytest

from events.fingerprint import content_fingerprint
from events.models import Issue
from sources import services as captures
from sources.models import Snapshot
from verification import services
from verification.models import VerificationStatus

from ..conftest import wait_for
from ..factories import EventFactory, IssueFactory, SourceFactory, cite
from ..sources.conftest import LocalServer, Reply, html_page
from .helpers import snapshots_of


def page(amount: str) -> Reply:
    body = html_page("OpenAI 完成新一轮融资", f"OpenAI 宣布承诺资本总额达到 {amount} 美元。" * 8)
    return Reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})


@pytest.fixture
def server():
    running = LocalServer()
    yield running
    running.close()


def issue_citing(url, analyst):
    issue = IssueFactory(with_conclusions=3)
    event = EventFactory(issue=issue, rank=1)
    cite(event, SourceFactory(url=url, official=True, publisher="OpenAI"), captured=False)
    return issue, event


@pytest.mark.django_db
def test_a_recapture_with_new_text_reopens_the_verdict_and_the_issue(
    server, analyst, settings, django_capture_on_commit_callbacks
):
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = True
    settings.SNAPSHOT_TIMEOUT = 2.0
    url = server.route("/funding", page("1220 亿"))
    issue, event = issue_citing(url, analyst)
    source = event.citations.get().source
    with django_capture_on_commit_callbacks(execute=True):
        captures.request_capture(source=source)
    first = Snapshot.objects.get(source=source, status="succeeded")
    services.verify(event, by=analyst, outcome="verified", note="官方公告。", evidence=[first])
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.APPROVED, approved_fingerprint=content_fingerprint(issue)
    )

    server.route("/funding", page("1100 亿"))
    with django_capture_on_commit_callbacks(execute=True):
        captures.request_capture(source=source)

    event.refresh_from_db()
    assert event.verification_status == VerificationStatus.UNVERIFIED
    log = services.log_for(event).first()
    assert source.url in log.reason
    assert "1100 亿" in log.diff and "1220 亿" in log.diff
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_REVIEW


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_capture_with_new_text_reopens_the_verdict(celery_worker, server, analyst):
    url = server.route("/funding", page("1220 亿"))
    _issue, event = issue_citing(url, analyst)
    source = event.citations.get().source
    captures.request_capture(source=source)
    first = wait_for(
        lambda: Snapshot.objects.filter(source=source, status="succeeded").first(),
        timeout=90,
        message="the first capture",
    )
    services.verify(event, by=analyst, outcome="verified", note="官方公告。", evidence=[first])
    assert snapshots_of(event) == [first]

    server.route("/funding", page("1100 亿"))
    captures.request_capture(source=source)
    wait_for(
        lambda: type(event).objects.get(pk=event.pk).verification_status == "unverified",
        timeout=90,
        message="the worker to reopen the verdict",
    )
    log = services.log_for(event).first()
    assert log.actor is None and source.url in log.reason
