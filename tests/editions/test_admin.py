"""The issue's admin page lists its files with their state; the chief editor makes them again."""

import datetime

import pytest
from django.urls import reverse

from editions import services
from editions.models import Edition
from events import workflow

from ..factories import ChiefEditorFactory, publishable_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(db):
    return publishable_issue(date=datetime.date(2026, 4, 8), published=True)


def change_page(client, issue) -> str:
    response = client.get(reverse("admin:events_issue_change", args=[issue.pk]))
    assert response.status_code == 200
    return response.content.decode()


def regenerate_url(issue) -> str:
    return reverse("admin:events_issue_editions_regenerate", args=[issue.pk])


def download_url(issue, kind) -> str:
    return reverse("admin:events_issue_edition_download", args=[issue.pk, kind])


def test_the_panel_lists_each_file_with_its_state_and_downloads(
    editor_client, issue, fake_renderers
):
    services.generate(issue_id=issue.pk)
    with_files = change_page(editor_client, issue)

    assert "PDF 与分享图" in with_files
    for kind in Edition.Kind.values:
        assert download_url(issue, kind) in with_files
    assert "1200×630" in with_files and regenerate_url(issue) in with_files
    response = editor_client.get(download_url(issue, Edition.Kind.PDF))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]

    workflow.add_correction(issue, by=ChiefEditorFactory(), text="更正。")
    services.mark_stale(issue_id=issue.pk)  # what the correction's receiver does after commit
    stale = change_page(editor_client, issue)
    assert download_url(issue, Edition.Kind.PDF) not in stale
    assert "已过期，等待重新生成" in stale
    assert editor_client.get(download_url(issue, Edition.Kind.PDF)).status_code == 404


def test_the_chief_editor_makes_the_files_again(
    editor_client, issue, fake_renderers, django_capture_on_commit_callbacks
):
    services.generate(issue_id=issue.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(regenerate_url(issue))

    assert response.status_code == 302
    assert fake_renderers == ["pdf", "long", "card"] * 2  # forced: every file, the same content
    assert issue.editions.filter(state=Edition.State.READY).count() == 3


def test_an_analyst_sees_the_files_but_may_not_make_them_again(
    analyst_client, issue, fake_renderers
):
    services.generate(issue_id=issue.pk)
    page = change_page(analyst_client, issue)

    assert download_url(issue, Edition.Kind.CARD) in page
    assert regenerate_url(issue) not in page
    assert analyst_client.post(regenerate_url(issue)).status_code == 403
    assert fake_renderers == ["pdf", "long", "card"]


def test_regenerate_takes_only_a_post_of_a_published_issue(editor_client, issue):
    draft = publishable_issue(date=datetime.date(2026, 4, 9))

    assert editor_client.get(regenerate_url(issue)).status_code == 405
    assert editor_client.post(regenerate_url(draft)).status_code == 404
    assert "发布时自动生成" in change_page(editor_client, draft)


def test_unknown_kinds_and_a_stranger_get_nothing(client, editor_client, issue, fake_renderers):
    services.generate(issue_id=issue.pk)

    assert editor_client.get(download_url(issue, "exe")).status_code == 404
    anonymous = client.__class__()
    assert anonymous.get(download_url(issue, Edition.Kind.PDF)).status_code == 302  # to login
    assert anonymous.post(regenerate_url(issue)).status_code == 302
