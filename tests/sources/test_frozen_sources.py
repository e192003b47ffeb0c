"""A source cited by an approved or published issue keeps its URL, kind and publisher,
except through the correction path, which logs the change and shows it to readers."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from events import source_corrections, workflow
from events.models import Correction, Issue
from sources.models import FrozenSource, Source

from ..admin_forms import admin_form_data
from ..factories import SourceFactory, cite, publishable_issue

pytestmark = pytest.mark.django_db

VERIFIED_URL = "https://openai.com/index/verified-announcement"


def published_citing(source):
    issue = publishable_issue(events=1, signals=0, papers=0)
    cite(issue.events.get(), source, label="官方公告")
    for step in ("submit", "approve", "publish"):
        workflow.perform(issue, step, by=None)
    issue.refresh_from_db()
    return issue


@pytest.fixture
def source():
    return SourceFactory(url=VERIFIED_URL, kind=Source.Kind.MEDIA, publisher="OpenAI")


def post_source_form(client, source, **changes):
    url = reverse("admin:sources_source_change", args=[source.pk])
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {**admin_form_data(page), **changes})


@pytest.mark.parametrize(
    "changes",
    [{"url": "https://evil.example/fake"}, {"kind": "official"}, {"publisher": "Someone else"}],
)
def test_an_analyst_cannot_retarget_a_source_of_a_published_issue_in_the_admin(
    analyst_client, source, changes
):
    issue = published_citing(source)
    page_before = analyst_client.get(issue.get_absolute_url()).content

    post_source_form(analyst_client, source, **changes)

    source.refresh_from_db()
    assert (source.url, source.kind, source.publisher) == (VERIFIED_URL, "media", "OpenAI")
    assert VERIFIED_URL in analyst_client.get(issue.get_absolute_url()).content.decode()
    assert page_before == analyst_client.get(issue.get_absolute_url()).content


def test_the_source_page_says_why_its_address_cannot_be_edited(analyst_client, source):
    issue = published_citing(source)
    page = analyst_client.get(reverse("admin:sources_source_change", args=[source.pk]))
    text = page.content.decode()
    assert "只能由主编通过更正修改" in text and str(issue) in text
    assert 'name="url"' not in text


@pytest.mark.parametrize("field", ["url", "kind", "publisher"])
def test_a_save_outside_the_admin_cannot_retarget_a_cited_source(source, field):
    published_citing(source)
    value = {"url": "https://evil.example/x", "kind": "official", "publisher": "X"}[field]
    setattr(source, field, value)
    with pytest.raises(FrozenSource):
        source.save()
    stored = Source.objects.get(pk=source.pk)
    assert (stored.url, stored.kind, stored.publisher) == (VERIFIED_URL, "media", "OpenAI")


def test_a_source_of_an_approved_issue_is_frozen_too(source):
    issue = publishable_issue(events=1, signals=0, papers=0)
    cite(issue.events.get(), source)
    workflow.perform(issue, "submit", by=None)
    workflow.perform(issue, "approve", by=None)
    source.publisher = "Renamed"
    with pytest.raises(FrozenSource):
        source.save(update_fields=["publisher"])


def test_sources_of_drafts_stay_editable_and_titles_always(analyst_client, source):
    cite(publishable_issue(events=1, signals=0, papers=0).events.get(), source)
    post_source_form(analyst_client, source, publisher="OpenAI Inc.")
    source.refresh_from_db()
    assert source.publisher == "OpenAI Inc."
    published_citing(source)
    source.title = "抓取后补全的标题"
    source.save()  # the title is not what readers follow
    assert Source.objects.get(pk=source.pk).title == "抓取后补全的标题"


def test_a_correction_retargets_the_source_and_tells_readers(client, editor, source):
    issue = published_citing(source)
    approved = publishable_issue(events=1, signals=0, papers=0)
    cite(approved.events.get(), source)
    workflow.perform(approved, "submit", by=None)
    workflow.perform(approved, "approve", by=None)

    source_corrections.correct_source(
        source, by=editor, note="原链接已失效。", url="https://openai.com/index/moved/"
    )

    source.refresh_from_db()
    assert source.url == "https://openai.com/index/moved/"
    correction = Correction.objects.get(issue=issue)
    assert VERIFIED_URL in correction.text and "原链接已失效" in correction.text
    assert issue.transitions.filter(action="correct_source", actor=editor).exists()
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "原链接已失效" in page and "https://openai.com/index/moved/" in page
    approved.refresh_from_db()
    assert approved.status == Issue.Status.IN_REVIEW
    assert approved.transitions.filter(action="reopen").exists()


def test_an_analyst_cannot_correct_a_source(analyst, source):
    published_citing(source)
    with pytest.raises(PermissionDenied):
        source_corrections.correct_source(source, by=analyst, note="x", kind="official")
    assert Source.objects.get(pk=source.pk).kind == "media"


@pytest.mark.parametrize(
    ("note", "changes", "message"),
    [
        ("", {"kind": "official"}, "原因"),
        ("理由", {"url": "javascript:alert(1)"}, "有效的网址"),
        ("理由", {"url": "https://x.example/" + "a" * 3000}, "有效的网址"),
        ("理由", {"kind": "<script>"}, "类型"),
        ("理由", {"title": "x"}, "只能修改"),
        ("理由", {"kind": "media"}, "没有任何修改"),
    ],
)
def test_a_bad_source_correction_is_refused_and_changes_nothing(
    editor, source, note, changes, message
):
    issue = published_citing(source)
    with pytest.raises(source_corrections.InvalidTransition) as refused:
        source_corrections.correct_source(source, by=editor, note=note, **changes)
    assert message in str(refused.value)
    stored = Source.objects.get(pk=source.pk)
    assert (stored.url, stored.kind) == (VERIFIED_URL, "media")
    assert not issue.corrections.exists()


def test_a_correction_to_an_address_another_source_has_says_cite_that_one(editor, source):
    published_citing(source)
    SourceFactory(url="https://openai.com/other")
    with pytest.raises(source_corrections.InvalidTransition, match="引用那个来源"):
        source_corrections.correct_source(
            source, by=editor, note="理由", url="https://openai.com/other"
        )
    assert Source.objects.get(pk=source.pk).url == VERIFIED_URL


def test_a_hostile_correction_note_is_shown_escaped(client, editor, source):
    issue = published_citing(source)
    source_corrections.correct_source(
        source, by=editor, note="<script>alert(1)</script>", publisher="OpenAI, Inc."
    )
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page and "OpenAI, Inc." in page


def correct_in_admin(client, issue, **data):
    url = reverse("admin:events_issue_correct_source", args=[issue.pk])
    return client.post(url, data)


def test_a_chief_editor_corrects_a_source_from_the_issue_page(editor_client, source):
    issue = published_citing(source)
    page = editor_client.get(reverse("admin:events_issue_change", args=[issue.pk]))
    assert "更正来源" in page.content.decode()

    response = correct_in_admin(
        editor_client, issue, source=source.pk, kind="official", url="", note="是官方公告。"
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.kind == "official" and source.url == VERIFIED_URL
    assert "是官方公告" in issue.corrections.get().text


def test_an_analyst_cannot_post_a_source_correction(analyst_client, source):
    issue = published_citing(source)
    response = correct_in_admin(analyst_client, issue, source=source.pk, kind="official", note="x")
    assert response.status_code == 403
    assert Source.objects.get(pk=source.pk).kind == "media"


@pytest.mark.parametrize(
    ("which", "data"),
    [
        ("abc", {"kind": "official", "note": "x"}),
        ("uncited", {"kind": "official", "note": "x"}),
        ("", {"kind": "official", "note": "x"}),
        ("cited", {"kind": "official", "note": "长" * 2001}),
        ("cited", {"url": "not a url", "note": "x"}),
        ("cited", {"kind": "<script>alert(1)</script>", "note": "x"}),
    ],
)
def test_a_forged_or_oversized_source_correction_changes_nothing(
    editor_client, source, which, data
):
    issue = published_citing(source)
    other = SourceFactory(url="https://uncited.example/")
    chosen = {"cited": source.pk, "uncited": other.pk}.get(which, which)
    response = correct_in_admin(editor_client, issue, source=chosen, **data)
    assert response.status_code == 302
    assert Source.objects.get(pk=source.pk).kind == "media"
    assert Source.objects.get(pk=other.pk).kind == "media"
    assert not issue.corrections.exists()
    assert not [m for m in response.wsgi_request._messages if m.level_tag == "success"]
