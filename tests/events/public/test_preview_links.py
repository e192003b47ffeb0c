import datetime
import re

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from events import preview
from events.models import Issue

from .sample import build_sample_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return build_sample_issue(status=Issue.Status.IN_REVIEW)


def test_reviewer_link_shows_the_draft_marked_as_preview(client, draft, editor):
    link = preview.create_link(issue=draft, by=editor)
    response = client.get(link.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "preview-banner" in html and "此预览链接于" in html
    assert "OpenAI 完成 1220 亿美元融资" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_reviewer_link_stops_working_once_expired(client, draft, editor):
    link = preview.create_link(issue=draft, by=editor, lifetime=datetime.timedelta(days=1))
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)):
        assert client.get(link.get_absolute_url()).status_code == 404


def test_reviewer_link_stops_working_once_revoked(client, draft, editor):
    link = preview.create_link(issue=draft, by=editor)
    assert preview.revoke_link(link, by=editor) is True
    assert client.get(link.get_absolute_url()).status_code == 404
    assert preview.revoke_link(link, by=editor) is False


def test_forged_or_tampered_tokens_are_refused(client, draft, editor):
    link = preview.create_link(issue=draft, by=editor)
    other = build_sample_issue(status=Issue.Status.DRAFT, date=datetime.date(2026, 4, 9))
    forged = [
        signing.dumps({"l": link.pk, "i": draft.pk, "n": link.nonce}, salt="wrong-salt"),
        signing.dumps({"l": link.pk, "i": other.pk, "n": link.nonce}, salt=preview.SALT),
        signing.dumps({"l": link.pk, "i": draft.pk, "n": "guessed"}, salt=preview.SALT),
        signing.dumps(["not", "a", "dict"], salt=preview.SALT),
        link.token[:-2] + "xx",
        "A" * 5000,
        "../../admin",
    ]
    for token in forged:
        assert client.get(f"/preview/{token}/").status_code == 404, token


def test_lifetime_is_capped_at_fourteen_days(draft, editor):
    link = preview.create_link(issue=draft, by=editor, lifetime=datetime.timedelta(days=365))
    assert link.expires_at - link.created_at <= datetime.timedelta(days=14, seconds=1)


def client_reads_preview(client, url):
    client.logout()
    return "OpenAI 完成 1220 亿美元融资" in client.get(url).content.decode()


def test_chief_editor_creates_a_link_from_the_admin(editor_client, draft):
    url = reverse("admin:events_issue_preview_link_create", args=[draft.pk])
    response = editor_client.post(url, {"days": "2", "note": "外部审稿人"}, follow=True)
    link = draft.preview_links.get()
    assert link.note == "外部审稿人"
    shown = re.search(r"http://testserver(/preview/[^/\s<]+/)", response.content.decode()).group(1)
    assert client_reads_preview(editor_client, shown)


def test_chief_editor_revokes_a_link_from_the_admin(editor_client, draft, editor):
    link = preview.create_link(issue=draft, by=editor)
    url = reverse("admin:events_issue_preview_link_revoke", args=[draft.pk, link.pk])
    editor_client.post(url)
    link.refresh_from_db()
    assert link.revoked_by == editor
    assert editor_client.get(link.get_absolute_url()).status_code == 404


def test_analyst_may_not_create_or_revoke_links(analyst_client, draft, editor):
    create = reverse("admin:events_issue_preview_link_create", args=[draft.pk])
    assert analyst_client.post(create).status_code == 403
    link = preview.create_link(issue=draft, by=editor)
    revoke = reverse("admin:events_issue_preview_link_revoke", args=[draft.pk, link.pk])
    assert analyst_client.post(revoke).status_code == 403
    assert draft.preview_links.count() == 1


def test_creating_a_link_needs_post(editor_client, draft):
    url = reverse("admin:events_issue_preview_link_create", args=[draft.pk])
    assert editor_client.get(url).status_code == 405
    assert not draft.preview_links.exists()


def test_issue_admin_page_offers_links_to_the_chief_editor_only(client, editor, analyst, draft):
    change = reverse("admin:events_issue_change", args=[draft.pk])
    client.force_login(editor)
    assert "创建审稿链接" in client.get(change).content.decode()
    client.force_login(analyst)
    assert "创建审稿链接" not in client.get(change).content.decode()
