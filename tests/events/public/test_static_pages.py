"""Published pages as files: written exactly when a publication, correction or withdrawal
changes them, served from the file, and removed when the issue is withdrawn."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from events import workflow
from events.models import Issue
from events.signals import issue_published

from ...factories import IssueFactory
from .sample import build_sample_issue

pytestmark = pytest.mark.django_db

SITE_FILES = {
    "index.html",
    "issues/index.html",
    "feed/index.atom",
    "feed/rss/index.rss",
    "feed/json/index.json",
    "sitemap.xml",
}


@pytest.fixture
def pages(settings, tmp_path):
    settings.STATIC_PAGES_ROOT = str(tmp_path / "pages")
    return tmp_path / "pages"


def snapshot(root):
    """Every baked file with its mtime and size: what a reader's cache or nginx's ETag sees."""
    return {
        str(path.relative_to(root)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in root.rglob("*")
        if path.is_file()
    }


def published(issue, capture):
    with capture(execute=True):
        issue_published.send(sender=Issue, issue=issue)


def html_files(root):
    return {name for name in snapshot(root) if not name.endswith((".gz", ".br"))}


def test_publication_bakes_the_issue_and_site_pages_in_each_language(
    pages, django_capture_on_commit_callbacks
):
    issue = build_sample_issue()
    published(issue, django_capture_on_commit_callbacks)
    expected = {"issues/2026-04-08/index.html", *SITE_FILES}
    assert html_files(pages) == {
        f"{lang}/{name}" for lang in ("zh-hans", "en") for name in expected
    }
    page = (pages / "zh-hans/issues/2026-04-08/index.html").read_text()
    assert "OpenAI 完成 1220 亿美元融资" in page
    assert '<html lang="zh-hans">' in page
    assert '<html lang="en">' in (pages / "en/issues/2026-04-08/index.html").read_text()
    assert (pages / "zh-hans/issues/2026-04-08/index.html.gz").exists()
    assert "<feed" in (pages / "zh-hans/feed/index.atom").read_text()


def test_the_file_holds_the_bytes_django_renders(
    client, settings, pages, django_capture_on_commit_callbacks
):
    issue = build_sample_issue()
    settings.STATIC_PAGES_ROOT = ""
    rendered = client.get("/issues/2026-04-08/").content
    settings.STATIC_PAGES_ROOT = str(pages)
    published(issue, django_capture_on_commit_callbacks)
    assert (pages / "zh-hans/issues/2026-04-08/index.html").read_bytes() == rendered


def test_a_new_issue_rewrites_a_handful_of_files_and_not_the_older_issues(
    pages, django_capture_on_commit_callbacks
):
    first = build_sample_issue(date=datetime.date(2026, 4, 7))
    published(first, django_capture_on_commit_callbacks)
    before = snapshot(pages)
    second = build_sample_issue(date=datetime.date(2026, 4, 8))
    published(second, django_capture_on_commit_callbacks)
    after = snapshot(pages)
    changed = {name for name in after if before.get(name) != after[name]}
    assert not any(
        name.startswith(("zh-hans/issues/2026-04-07", "en/issues/2026-04-07")) for name in changed
    )
    assert {"zh-hans/issues/2026-04-08/index.html", "zh-hans/index.html"} <= changed
    # The new issue's page and the site pages, in each language: nothing else.
    assert len({name for name in changed if not name.endswith((".gz", ".br"))}) <= 2 * (
        1 + len(SITE_FILES)
    )


def test_saving_a_draft_rewrites_nothing(pages, client, django_capture_on_commit_callbacks):
    issue = build_sample_issue()
    published(issue, django_capture_on_commit_callbacks)
    before = snapshot(pages)
    etag = client.get("/issues/2026-04-08/")["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        draft = IssueFactory(date=datetime.date(2026, 4, 9), overview="草稿里的新段落。")
        draft.overview = "草稿又改了一次。"
        draft.save()
    assert snapshot(pages) == before
    assert client.get("/issues/2026-04-08/")["ETag"] == etag
    assert client.get("/issues/2026-04-09/").status_code == 404


def test_a_correction_rewrites_that_issue_and_the_feeds_only(
    pages, client, editor, django_capture_on_commit_callbacks
):
    older = build_sample_issue(date=datetime.date(2026, 4, 7))
    issue = build_sample_issue()
    published(older, django_capture_on_commit_callbacks)
    published(issue, django_capture_on_commit_callbacks)
    before, etag = snapshot(pages), client.get("/issues/2026-04-08/")["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(issue, by=editor, text="第 1 条的估值应为 8520 亿美元。")
    after = snapshot(pages)
    changed = {name for name in after if before[name] != after[name]}
    assert "zh-hans/issues/2026-04-08/index.html" in changed
    assert "zh-hans/feed/index.atom" in changed
    assert not any("2026-04-07" in name for name in changed)
    response = client.get("/issues/2026-04-08/")
    assert "第 1 条的估值应为 8520 亿美元。" in response.content.decode()
    assert response["ETag"] != etag


def test_a_withdrawn_issue_file_is_gone_and_django_answers_410(
    pages, client, editor, django_capture_on_commit_callbacks
):
    issue = build_sample_issue()
    published(issue, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(issue, "withdraw", by=editor, comment="第 2 条的协议金额无法核实。")
    assert not any("2026-04-08/index.html" in name for name in snapshot(pages))
    assert client.get("/issues/2026-04-08/").status_code == 410
    assert "还没有已发布的日报" in client.get("/").content.decode()
    assert "2026-04-08" not in (pages / "zh-hans/sitemap.xml").read_text()


def test_baked_pages_are_served_without_sql(
    pages, client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    published(build_sample_issue(), django_capture_on_commit_callbacks)
    with django_assert_num_queries(0):
        page = client.get("/issues/2026-04-08/")
        english = client.get("/issues/2026-04-08/", HTTP_ACCEPT_LANGUAGE="en")
        feed = client.get("/feed/")
    assert page.status_code == 200 and page["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in page
    assert english["Content-Language"] == "en"
    assert feed["Content-Type"] == "application/atom+xml; charset=utf-8"


@pytest.mark.parametrize("path", ["/issues/2026-04-08/", "/", "/issues/", "/feed/", "/feed/rss/"])
def test_baked_pages_answer_304_to_etag_and_date(
    pages, client, path, django_capture_on_commit_callbacks
):
    published(build_sample_issue(), django_capture_on_commit_callbacks)
    first = client.get(path)
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_a_query_string_or_a_post_goes_to_django(pages, client, django_capture_on_commit_callbacks):
    published(build_sample_issue(), django_capture_on_commit_callbacks)
    assert client.get("/issues/?page=1").status_code == 200
    assert client.post("/issues/2026-04-08/").status_code == 405
    assert client.get("/issues/2026-04-08/index.html").status_code == 404
    assert client.get("/issues/../secret/").status_code == 404


def test_bake_command_rebuilds_everything_and_drops_unpublished_files(pages, capsys):
    build_sample_issue()
    call_command("bake")
    assert "zh-hans/issues/2026-04-08/index.html" in snapshot(pages)
    before = snapshot(pages)
    call_command("bake")
    assert snapshot(pages) == before  # nothing changed: nothing rewritten
    Issue.objects.filter(date=datetime.date(2026, 4, 8)).update(status="withdrawn")
    call_command("bake")
    assert not any("2026-04-08/index.html" in name for name in snapshot(pages))
    assert "removed" in capsys.readouterr().out


def test_bake_with_a_date_renders_that_issue_and_the_site_pages(pages):
    build_sample_issue(date=datetime.date(2026, 4, 7))
    build_sample_issue(date=datetime.date(2026, 4, 8))
    call_command("bake", "2026-04-08")
    files = html_files(pages)
    assert "zh-hans/issues/2026-04-08/index.html" in files
    assert "zh-hans/feed/index.atom" in files
    assert not any("2026-04-07" in name for name in files)


def test_bake_refuses_a_malformed_date(pages):
    with pytest.raises(CommandError):
        call_command("bake", "2026-13-45")
