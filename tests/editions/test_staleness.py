"""A file is offered only while it shows what the issue shows: never after a correction, a
withdrawal, or a change no signal reported, until it is made again."""

import datetime
import os

import pytest
from django.urls import reverse

from editions import services
from editions.models import Edition
from events import workflow
from events.models import Issue
from sources.models import Source

from ..factories import ChiefEditorFactory, CorrectionFactory, publishable_issue

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 4, 8)
PDF_URL = "/issues/2026-04-08/edition.pdf"
CARD_URL = "/issues/2026-04-08/edition-card.png"


@pytest.fixture
def issue(db):
    return publishable_issue(date=DAY, published=True)


def page(client, issue) -> str:
    return client.get(reverse("events:issue", args=[issue.date.isoformat()])).content.decode()


def test_publication_through_the_workflow_makes_every_file(
    fake_renderers, settings, django_capture_on_commit_callbacks
):
    settings.EDITIONS_ON_PUBLISH = True
    issue = publishable_issue(date=DAY, status=Issue.Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(issue, "publish", by=ChiefEditorFactory())

    states = dict(issue.editions.values_list("kind", "state"))
    assert states == dict.fromkeys(Edition.Kind.values, Edition.State.READY)


def test_the_page_offers_the_files_and_the_card_once_made(client, issue, fake_renderers):
    assert "edition.pdf" not in page(client, issue)
    assert "share-default.png" in page(client, issue)

    services.generate(issue_id=issue.pk)

    html = page(client, issue)  # the cached page was dropped when the files were made
    card = issue.editions.get(kind=Edition.Kind.CARD)
    assert f'href="http://127.0.0.1:8000{PDF_URL}?v=' in html
    assert f'<meta property="og:image" content="http://127.0.0.1:8000{CARD_URL}?v=' in html
    assert card.fingerprint[:12] in html
    response = client.get(PDF_URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    image = client.get(CARD_URL)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_a_correction_stops_the_old_files_at_once_and_the_new_ones_follow(
    client, issue, fake_renderers, django_capture_on_commit_callbacks
):
    services.generate(issue_id=issue.pk)
    assert client.get(PDF_URL).status_code == 200

    # Made again by hand below: the test settings do not render on publication.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(issue, by=ChiefEditorFactory(), text="金额更正。")

    stale = client.get(PDF_URL)
    assert stale.status_code == 503 and stale["Retry-After"] == "60"
    card = client.get(CARD_URL)
    assert card.status_code == 302 and card["Location"].endswith("share-default.png")
    html = page(client, issue)
    assert "edition.pdf" not in html and "share-default.png" in html

    old_file = issue.editions.get(kind=Edition.Kind.PDF).file.path
    with django_capture_on_commit_callbacks(execute=True):
        services.generate(issue_id=issue.pk)
    assert client.get(PDF_URL).status_code == 200
    assert "edition.pdf" in page(client, issue)
    assert not os.path.exists(old_file)  # the stale file is gone from storage too


def test_a_change_no_signal_reported_is_caught_by_the_fingerprint(client, issue, fake_renderers):
    services.generate(issue_id=issue.pk)
    # A script, not the correction workflow: no signal, the edition still says "ready".
    CorrectionFactory(issue=issue)
    source = Source.objects.filter(citations__issue=issue).first()
    Source.objects.filter(pk=source.pk).update(url="https://example.org/moved")

    assert issue.editions.filter(state=Edition.State.READY).count() == 3
    assert client.get(PDF_URL).status_code == 503
    assert services.current_edition(issue, Edition.Kind.PDF) is None


def test_a_file_drawn_while_the_issue_changed_is_not_kept(issue, monkeypatch):
    from editions.rendering import Rendered

    def render_while_corrected(issue_being_drawn):
        CorrectionFactory(issue=issue)  # lands while the renderer works
        return Rendered(b"%PDF-1.7", "pdf", "application/pdf")

    monkeypatch.setitem(services.RENDERERS, Edition.Kind.PDF, render_while_corrected)
    (edition,) = services.generate(issue_id=issue.pk, kinds=[Edition.Kind.PDF])

    assert edition.state == Edition.State.STALE and not edition.file


def test_a_withdrawn_issue_offers_no_file(client, issue, fake_renderers):
    services.generate(issue_id=issue.pk)
    workflow.perform(issue, "withdraw", by=ChiefEditorFactory(), comment="来源有误")

    assert client.get(PDF_URL).status_code == 404
    assert services.generate(issue_id=issue.pk) == []


def test_a_failed_run_leaves_a_current_file_on_offer_and_records_why(client, issue, monkeypatch):
    from editions.rendering import Rendered, RendererUnavailable

    monkeypatch.setitem(
        services.RENDERERS, Edition.Kind.PDF, lambda i: Rendered(b"%PDF", "pdf", "application/pdf")
    )
    services.generate(issue_id=issue.pk, kinds=[Edition.Kind.PDF])

    def missing(issue):
        raise RendererUnavailable("WeasyPrint: no Pango")

    monkeypatch.setitem(services.RENDERERS, Edition.Kind.PDF, missing)
    (edition,) = services.generate(issue_id=issue.pk, kinds=[Edition.Kind.PDF], force=True)

    assert edition.state == Edition.State.READY and "Pango" in edition.error
    assert client.get(PDF_URL).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/issues/2026-04-08/edition.exe",
        "/issues/not-a-date/edition.pdf",
        "/issues/2026-04-09/edition.pdf",
        "/issues/2026-04-08/..%2Fsettings.py",
    ],
)
def test_unknown_files_and_dates_are_404(client, issue, fake_renderers, url):
    services.generate(issue_id=issue.pk)
    assert client.get(url).status_code == 404


def test_a_draft_offers_no_file(client, fake_renderers):
    publishable_issue(date=DAY)
    assert client.get(PDF_URL).status_code == 404
    assert client.post(PDF_URL).status_code == 405


@pytest.mark.parametrize("items", [1, 6])
def test_a_file_costs_the_same_queries_whatever_the_issues_size(
    client, fake_renderers, items, django_assert_num_queries
):
    issue = publishable_issue(date=DAY, published=True, events=items, signals=items, papers=items)
    services.generate(issue_id=issue.pk)
    # the issue + the edition + its content's fingerprint (12) + corrections + cited URLs
    with django_assert_num_queries(16):
        response = client.get(PDF_URL)
    assert response.status_code == 200


def test_the_baked_page_names_the_card_and_pdf_once_they_are_made(
    client, issue, fake_renderers, settings, tmp_path
):
    settings.STATIC_PAGES_ROOT = str(tmp_path / "pages")
    from events.static_pages import baker

    baker.issue_changed(issue)  # what publication bakes, before the worker made the files
    baked = tmp_path / "pages" / "zh-hans" / "issues" / "2026-04-08" / "index.html"
    assert "share-default.png" in baked.read_text()

    services.generate(issue_id=issue.pk)

    html = baked.read_text()
    assert f'<meta property="og:image" content="http://127.0.0.1:8000{CARD_URL}?v=' in html
    assert f"{PDF_URL}?v=" in html
    assert f"{PDF_URL}?v=" in page(client, issue)  # what readers get is the baked file
