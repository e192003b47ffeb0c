"""Who may read an archived copy: anyone, once a published issue cites its source; staff, always.

Every other id answers 404, exactly as an id that does not exist, so walking the sequential ids
reveals nothing about drafts in progress.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import workflow
from events.models import Issue
from sources import citing, pipeline
from sources.models import Snapshot

from ..factories import (
    AnalystFactory,
    ChiefEditorFactory,
    CitationFactory,
    EventFactory,
    IssueFactory,
    SourceFactory,
    UserFactory,
)
from .conftest import html_page

pytestmark = pytest.mark.django_db

VIEWS = ["sources:snapshot", "sources:snapshot-page", "sources:snapshot-warc"]
NOT_PUBLIC = [
    Issue.Status.DRAFT,
    Issue.Status.IN_REVIEW,
    Issue.Status.APPROVED,
    Issue.Status.SCHEDULED,
    Issue.Status.WITHDRAWN,
]


def capture(text="A page an analyst cited."):
    source = SourceFactory()
    body = html_page("Cited page", text * 5).encode()
    return pipeline.capture_from_bytes(source, body, content_type="text/html; charset=utf-8")


def cite_from(snapshot, status):
    """Cite the capture's source from an item of a new issue in this status."""
    now = timezone.now()
    issue = IssueFactory(status=status, published_at=now, publish_at=now + timedelta(days=1))
    CitationFactory(event=EventFactory(issue=issue), source=snapshot.source)
    return issue


def statuses(client, snapshot, **query):
    return [client.get(reverse(name, args=[snapshot.pk]), query).status_code for name in VIEWS]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def frame_path(client, snapshot) -> str:
    """The captured page's address, as the banner frames it for this client."""
    banner = client.get(snapshot.get_absolute_url()).content.decode()
    return banner.split('class="snapshot-frame" src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")


def test_the_issue_layer_names_the_statuses_of_the_sources_scopes():
    assert citing.statuses(citing.PUBLISHED) == (Issue.Status.PUBLISHED,)
    assert Issue.Status.PUBLISHED not in citing.statuses(citing.UNPUBLISHED)
    assert Issue.Status.DRAFT in citing.statuses(citing.UNPUBLISHED)


def test_anyone_reads_a_capture_of_a_source_a_published_issue_cites(client):
    snapshot = capture()
    cite_from(snapshot, Issue.Status.PUBLISHED)

    assert statuses(client, snapshot) == [200, 200, 200]
    page = client.get(reverse("sources:snapshot-page", args=[snapshot.pk]))
    assert "A page an analyst cited." in b"".join(page.streaming_content).decode()


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_anonymous_readers_get_404_for_a_capture_only_an_unpublished_issue_cites(client, status):
    snapshot = capture()
    cite_from(snapshot, status)

    assert statuses(client, snapshot) == [404, 404, 404]


def test_anonymous_readers_get_404_for_a_capture_nothing_cites(client):
    assert statuses(client, capture()) == [404, 404, 404]


def test_a_withdrawn_issue_leaves_public_the_captures_another_published_issue_cites(client):
    snapshot = capture()
    cite_from(snapshot, Issue.Status.WITHDRAWN)
    cite_from(snapshot, Issue.Status.PUBLISHED)

    assert statuses(client, snapshot) == [200, 200, 200]


def test_withdrawing_the_only_citing_issue_makes_its_captures_private_again(client):
    snapshot = capture()
    issue = cite_from(snapshot, Issue.Status.PUBLISHED)
    assert statuses(client, snapshot) == [200, 200, 200]

    workflow.perform(issue, "withdraw", by=ChiefEditorFactory(), comment="来源有误，撤回。")

    assert statuses(client, snapshot) == [404, 404, 404]


@pytest.mark.parametrize("role", [AnalystFactory, ChiefEditorFactory], ids=["analyst", "editor"])
def test_newsroom_staff_read_captures_of_drafts(role):
    snapshot = capture()
    cite_from(snapshot, Issue.Status.DRAFT)
    staff = logged_in(role())

    assert statuses(staff, snapshot) == [200, 200, 200]
    banner = staff.get(snapshot.get_absolute_url())
    assert "no-store" in banner["Cache-Control"] and "private" in banner["Cache-Control"]


@pytest.mark.parametrize(
    "user",
    [lambda: UserFactory(is_staff=True), lambda: UserFactory(is_staff=False)],
    ids=["staff-without-snapshot-permission", "not-staff"],
)
def test_a_login_without_the_snapshot_permission_sees_only_what_readers_see(user):
    snapshot = capture()
    cite_from(snapshot, Issue.Status.DRAFT)

    assert statuses(logged_in(user()), snapshot) == [404, 404, 404]


def test_an_inactive_analyst_sees_only_what_readers_see():
    snapshot = capture()
    analyst = AnalystFactory()
    client = logged_in(analyst)
    analyst.is_active = False
    analyst.save(update_fields=["is_active"])

    assert statuses(client, snapshot) == [404, 404, 404]


def test_walking_sequential_ids_finds_only_public_captures(client):
    public, private = capture(), capture()
    cite_from(public, Issue.Status.PUBLISHED)
    cite_from(private, Issue.Status.IN_REVIEW)
    failed = Snapshot.objects.create(source=public.source, status=Snapshot.Status.FAILED)
    last = max(public.pk, private.pk, failed.pk)

    found = {pk: client.get(f"/snapshots/{pk}/").status_code for pk in range(1, last + 3)}

    assert {pk for pk, status in found.items() if status == 200} == {public.pk}
    assert set(found.values()) == {200, 404}  # private, failed and missing ids alike
    missing = client.get(f"/snapshots/{last + 100}/")
    assert client.get(f"/snapshots/{private.pk}/").content == missing.content


def test_the_banner_frames_a_draft_capture_for_staff_with_a_link_that_opens_only_that_page():
    snapshot, other = capture(), capture()
    path = frame_path(logged_in(AnalystFactory()), snapshot)
    token = path.split("?t=", 1)[1]
    anonymous = Client()

    framed = anonymous.get(path)  # the frame's origin has no staff session
    assert framed.status_code == 200 and "no-store" in framed["Cache-Control"]
    other_page = reverse("sources:snapshot-page", args=[other.pk])
    assert anonymous.get(other_page, {"t": token}).status_code == 404  # not another id
    assert statuses(anonymous, snapshot, t=token)[0::2] == [404, 404]  # not banner or WARC


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: "",
        lambda token: "1",
        lambda token: "<script>alert(1)</script>",
        lambda token: "MQ:1tX9Zq:" + "A" * 43,  # the shape of a real one, signed by no one
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.swapcase(),
        lambda token: token * 50,
    ],
    ids=["empty", "bare-id", "markup", "made-up-signature", "tampered", "case-changed", "long"],
)
def test_a_forged_frame_link_opens_nothing(client, forge):
    snapshot = capture()
    token = frame_path(logged_in(AnalystFactory()), snapshot).split("?t=", 1)[1]

    page = reverse("sources:snapshot-page", args=[snapshot.pk])
    assert client.get(page, {"t": forge(token)}).status_code == 404


def test_a_frame_link_expires(client):
    snapshot = capture()
    path = frame_path(logged_in(AnalystFactory()), snapshot)

    with time_machine.travel(timedelta(hours=2), tick=False):
        assert client.get(path).status_code == 404


def test_readers_get_a_frame_without_a_link_token(client):
    snapshot = capture()
    cite_from(snapshot, Issue.Status.PUBLISHED)

    path = frame_path(client, snapshot)

    assert path == reverse("sources:snapshot-page", args=[snapshot.pk])


def test_with_a_snapshot_origin_staff_see_a_draft_capture_framed_from_that_domain(settings):
    settings.SNAPSHOT_ORIGIN = "https://captures.aidaily.example"
    settings.ALLOWED_HOSTS = ["testserver", "captures.aidaily.example"]
    snapshot = capture()

    url = frame_path(logged_in(ChiefEditorFactory()), snapshot)

    assert url.startswith("https://captures.aidaily.example/snapshots/")
    path = url.removeprefix("https://captures.aidaily.example")
    framed = Client().get(path, HTTP_HOST="captures.aidaily.example", secure=True)
    assert framed.status_code == 200
    assert "A page an analyst cited." in b"".join(framed.streaming_content).decode()


def test_a_reader_opening_an_archived_copy_costs_one_query(client, django_assert_num_queries):
    snapshot = capture()
    cite_from(snapshot, Issue.Status.PUBLISHED)
    cite_from(snapshot, Issue.Status.PUBLISHED)  # cited twice: still one row, one query

    with django_assert_num_queries(1):
        response = client.get(snapshot.get_absolute_url())

    assert response.status_code == 200
