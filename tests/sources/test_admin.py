"""Snapshot now, per source and per issue, and the issue's "captured N of M sources" panel."""

import pytest
from django.urls import reverse

from sources import pipeline
from sources.models import Snapshot

from ..factories import (
    CitationFactory,
    EventFactory,
    IssueFactory,
    SnapshotFactory,
    SourceFactory,
    UserFactory,
)
from .conftest import Reply, html_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue():
    issue = IssueFactory()
    event = EventFactory(issue=issue)
    captured = CitationFactory(event=event, source=SourceFactory(url="https://a.example/1"))
    SnapshotFactory(source=captured.source)
    failed = CitationFactory(event=event, source=SourceFactory(url="https://b.example/2"))
    SnapshotFactory(
        source=failed.source,
        failed=True,
        error="b.example answered HTTP 404",
        error_kind=Snapshot.ErrorKind.CLIENT_ERROR,
    )
    return issue


def test_the_issue_page_says_how_many_sources_are_captured(analyst_client, issue):
    response = analyst_client.get(reverse("admin:events_issue_change", args=[issue.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "已存档 1 / 2 个来源" in page
    assert "网站拒绝或页面不存在（4xx）：b.example answered HTTP 404" in page
    assert reverse("admin:events_issue_snapshot_all", args=[issue.pk]) in page


def test_snapshot_now_on_an_issue_queues_every_source_after_commit(
    analyst_client, issue, django_capture_on_commit_callbacks, monkeypatch
):
    from sources import tasks

    sent = []
    monkeypatch.setattr(tasks.capture_snapshots, "delay", lambda pks: sent.extend(pks))
    url = reverse("admin:events_issue_snapshot_all", args=[issue.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(url, follow=True)

    assert "已为 2 个来源安排抓取" in response.content.decode()
    queued = Snapshot.objects.filter(status="queued")
    assert queued.count() == 2 and sorted(sent) == sorted(queued.values_list("pk", flat=True))


def test_snapshot_now_is_refused_to_staff_without_the_sources_role(client, issue):
    client.force_login(UserFactory(is_staff=True))
    url = reverse("admin:events_issue_snapshot_all", args=[issue.pk])

    assert client.post(url).status_code == 403
    assert not Snapshot.objects.filter(status="queued").exists()


def test_snapshot_now_must_be_a_post(analyst_client, issue):
    url = reverse("admin:events_issue_snapshot_all", args=[issue.pk])
    assert analyst_client.get(url).status_code == 405


def test_the_source_page_lists_its_snapshots_and_has_a_snapshot_now_button(
    analyst_client, django_capture_on_commit_callbacks, monkeypatch
):
    from sources import tasks

    monkeypatch.setattr(tasks.capture_snapshot, "delay", lambda pk: None)
    snapshot = SnapshotFactory(size=4321)
    source = snapshot.source
    page = analyst_client.get(reverse("admin:sources_source_change", args=[source.pk]))
    assert page.status_code == 200
    assert snapshot.get_absolute_url() in page.content.decode()

    button = reverse("admin:sources_source_snapshot_now", args=[source.pk])
    assert button in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        analyst_client.post(button)
    assert source.snapshots.filter(status="queued").count() == 1


def test_a_failed_capture_says_what_went_wrong_in_the_editors_language(analyst_client):
    from django.conf import settings

    failed = SnapshotFactory(
        failed=True,
        error="intranet.example resolves to a refused address: 10.0.0.8 is private",
        error_kind=Snapshot.ErrorKind.REFUSED,
    )
    url = reverse("admin:sources_source_change", args=[failed.source.pk])

    chinese = analyst_client.get(url).content.decode()
    analyst_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = analyst_client.get(url).content.decode()

    assert "地址被拒绝：intranet.example resolves to a refused address" in chinese
    assert "Address refused: intranet.example resolves to a refused address" in english


def test_snapshots_cannot_be_edited_or_deleted_in_the_admin(editor_client):
    snapshot = SnapshotFactory()
    url = reverse("admin:sources_snapshot_change", args=[snapshot.pk])
    page = editor_client.get(url)
    edit = editor_client.post(url, {"status": "failed"})
    delete = editor_client.post(reverse("admin:sources_snapshot_delete", args=[snapshot.pk]))

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # read-only
    assert edit.status_code == 403
    assert delete.status_code == 403
    snapshot.refresh_from_db()
    assert snapshot.status != "failed"


def test_the_source_list_shows_the_latest_capture_in_a_bounded_number_of_queries(
    analyst_client, django_assert_max_num_queries
):
    for _ in range(15):
        SnapshotFactory(failed=True)
    with django_assert_max_num_queries(12):
        response = analyst_client.get(reverse("admin:sources_source_changelist"))
    assert response.content.decode().count("失败") >= 15


def test_a_capture_cut_off_at_the_size_cap_is_marked_truncated_in_the_admin(
    analyst_client, server, allow_local
):
    allow_local.SNAPSHOT_MAX_BYTES = 2000
    body = html_page("很长的页面", "很长的正文。" * 400).encode()
    url = server.route("/long", Reply(200, body, {"Content-Type": "text/html; charset=utf-8"}))
    issue = IssueFactory()
    source = CitationFactory(event=EventFactory(issue=issue), source=SourceFactory(url=url)).source
    snapshot = SnapshotFactory(queued=True, attempts=0, source=source)
    pipeline.capture(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    assert (snapshot.status, snapshot.truncated, snapshot.size) == ("succeeded", True, 2000)

    panel = analyst_client.get(reverse("admin:events_issue_change", args=[issue.pk]))
    inline = analyst_client.get(reverse("admin:sources_source_change", args=[source.pk]))

    listed = panel.content.decode().split('class="snapshot-truncated"', 1)[1].split("</ul>")[0]
    assert f">{source.host}</a>" in listed
    assert "已截断" in inline.content.decode()
    assert 'alt="True"' in inline.content.decode().split("已截断", 1)[1]
