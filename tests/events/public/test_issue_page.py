import datetime

import pytest
import time_machine
from django.urls import reverse

from events import workflow
from events.models import Issue
from sources.models import Snapshot

from ...factories import CorrectionFactory, SnapshotFactory, UserFactory
from .sample import build_sample_issue

pytestmark = pytest.mark.django_db


def page(client, issue):
    return client.get(reverse("events:issue", args=[issue.date.isoformat()]))


def test_latest_shows_the_newest_published_issue_laid_out_like_the_seed(client, sample_issue):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    positions = [
        html.index(heading)
        for heading in [
            "今日总览",
            "今日三条结论",
            "今日 Top 3 大事件",
            "商业与应用解读",
            "X 平台高信号观点",
            "前沿研究速递",
        ]
    ]
    assert positions == sorted(positions)
    for label in ["发生了什么", "关键信息", "为什么重要", "对产业/企业的启发", "可信来源"]:
        assert label in html
    assert "OpenAI 完成 1220 亿美元融资" in html
    assert "覆盖窗口：重点核查 2026-04-01 至 2026-04-08" in html


def test_each_item_has_its_anchor_status_note_sources_and_archived_copy(client, sample_issue):
    html = page(client, sample_issue).content.decode()
    for anchor in ["event-1", "event-2", "event-3", "signal-1", "signal-2", "paper-1", "paper-2"]:
        assert f'id="{anchor}"' in html
    assert "已核实" in html
    assert "帖文本身是分析判断；相关融资事实已被 OpenAI 官方公告验证。" in html
    assert (
        '<a href="https://openai.com/index/accelerating-the-next-phase-ai/" '
        'rel="noopener nofollow">OpenAI 官方公告</a>'
    ) in html
    event = sample_issue.events.get(rank=1)
    for citation in event.citations.all():
        snapshot = citation.source.latest_succeeded_snapshot()
        assert reverse("sources:snapshot", args=[snapshot.pk]) in html


def test_archived_copy_links_the_latest_succeeded_snapshot(client, sample_issue):
    source = sample_issue.events.get(rank=2).citations.get().source
    old = source.latest_succeeded_snapshot()
    newer = SnapshotFactory(source=source)
    failed = SnapshotFactory(source=source, failed=True)
    html = page(client, sample_issue).content.decode()
    assert f"/snapshots/{newer.pk}/" in html
    assert f"/snapshots/{old.pk}/" not in html
    assert f"/snapshots/{failed.pk}/" not in html


def test_source_without_a_capture_has_no_archived_link(client, sample_issue):
    Snapshot.objects.filter(source__citations__issue=sample_issue).update(status="failed")
    html = page(client, sample_issue).content.decode()
    assert "/snapshots/" not in html
    assert "OpenAI 官方公告" in html


def test_markdown_escape_renders_as_a_dollar_sign(client, sample_issue):
    html = page(client, sample_issue).content.decode()
    assert "\\$10" not in html
    assert "$10 billion" in html


def test_draft_is_404_for_anonymous_readers(client):
    issue = build_sample_issue(status=Issue.Status.DRAFT)
    assert page(client, issue).status_code == 404


def test_draft_is_404_for_a_logged_in_non_staff_user(client):
    issue = build_sample_issue(status=Issue.Status.IN_REVIEW)
    client.force_login(UserFactory(is_staff=False))
    assert page(client, issue).status_code == 404


def test_staff_see_a_draft_as_a_clearly_marked_uncached_preview(analyst_client):
    issue = build_sample_issue(status=Issue.Status.DRAFT)
    response = page(analyst_client, issue)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="preview-banner"' in html
    assert "读者看不到这个页面" in html
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]


def test_published_page_has_no_preview_banner(client, sample_issue):
    assert "preview-banner" not in page(client, sample_issue).content.decode()


def test_withdrawn_issue_answers_410_with_its_public_reason(client, sample_issue, editor):
    workflow.perform(sample_issue, "withdraw", by=editor, comment="第 2 条的协议金额无法核实。")
    response = page(client, sample_issue)
    assert response.status_code == 410
    html = response.content.decode()
    assert "这一期已撤回" in html
    assert "第 2 条的协议金额无法核实。" in html
    assert "OpenAI 完成 1220 亿美元融资" not in html


def test_corrections_are_shown_with_their_dates(client, sample_issue):
    CorrectionFactory(issue=sample_issue, text="第 1 条的估值应为 8520 亿美元。")
    html = page(client, sample_issue).content.decode()
    assert "第 1 条的估值应为 8520 亿美元。" in html
    today = sample_issue.corrections.get().created_at.astimezone(
        datetime.timezone(datetime.timedelta(hours=8))
    )
    assert today.strftime("%Y-%m-%d") in html


def test_a_correction_replaces_the_cached_page(
    client, sample_issue, editor, django_capture_on_commit_callbacks
):
    assert "估值应为" not in page(client, sample_issue).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(sample_issue, by=editor, text="第 1 条的估值应为 8520 亿美元。")
    assert "第 1 条的估值应为 8520 亿美元。" in page(client, sample_issue).content.decode()


def test_published_page_is_served_from_cache_without_sql(
    client, sample_issue, django_assert_num_queries
):
    first = page(client, sample_issue)
    client.get("/")
    with django_assert_num_queries(0):
        again = page(client, sample_issue)
        latest = client.get("/")
    assert again.content == first.content == latest.content
    assert "OpenAI 完成 1220 亿美元融资" in again.content.decode()


def expiry_follows_time_travel(settings):
    """Time travel moves this process's clock; a shared cache (Redis) expires keys by its own."""
    if "LocMemCache" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("a shared cache expires keys on its own clock, which time travel cannot move")


def test_a_change_made_by_another_process_shows_within_seconds(client, sample_issue, settings):
    from events import pagecache

    expiry_follows_time_travel(settings)
    page(client, sample_issue)
    # Another process corrects the issue: no signal reaches this one.
    CorrectionFactory(issue=sample_issue, text="另一个进程里的更正。")
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        seconds=pagecache.POINTER_SECONDS + 1
    )
    with time_machine.travel(later):
        assert "另一个进程里的更正。" in page(client, sample_issue).content.decode()


def test_withdrawal_replaces_the_cached_page(
    client, sample_issue, editor, django_capture_on_commit_callbacks
):
    assert page(client, sample_issue).status_code == 200
    assert client.get("/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(sample_issue, "withdraw", by=editor, comment="来源失效。")
    assert page(client, sample_issue).status_code == 410
    assert "还没有已发布的日报" in client.get("/").content.decode()


def test_malformed_or_unknown_dates_are_404(client, sample_issue):
    for value in ["2026-13-01", "not-a-date", "2026-04-09", "0000-00-00"]:
        assert client.get(f"/issues/{value}/").status_code == 404
    assert client.get("/issues/2026-04-08%00/").status_code == 400  # a NUL byte: refused first


def test_english_issue_uses_english_section_labels(client):
    issue = build_sample_issue(date=datetime.date(2026, 5, 12))
    Issue.objects.filter(pk=issue.pk).update(language="en")
    html = page(client, issue).content.decode()
    for heading in ["Overview", "Three conclusions", "Top 3 events", "What happened", "Research"]:
        assert heading in html
    assert "AI Frontier Daily | 2026-05-12" in html
    assert 'lang="en"' in html


def test_page_carries_opengraph_and_newsarticle_metadata(client, sample_issue):
    html = page(client, sample_issue).content.decode()
    assert '<meta property="og:type" content="article">' in html
    assert '"@type": "NewsArticle"' in html
    assert 'rel="canonical"' in html


def test_export_renders_the_same_page_as_a_string(sample_issue):
    from events.rendering.web import render_issue_page

    html = render_issue_page(Issue.objects.get(pk=sample_issue.pk))
    assert html.startswith("<!doctype html>")
    assert 'id="paper-2"' in html
    assert '"@type": "NewsArticle"' in html
    assert "http://127.0.0.1:8000/static/aidaily/site.css" in html or "/static/" in html


def test_a_newer_capture_reaches_the_page_when_the_cached_copy_expires(
    client, sample_issue, settings
):
    from events import pagecache

    expiry_follows_time_travel(settings)
    page(client, sample_issue)
    source = sample_issue.events.get(rank=2).citations.get().source
    newer = SnapshotFactory(source=source)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        seconds=pagecache.PAGE_SECONDS + 1
    )
    with time_machine.travel(later):
        assert f"/snapshots/{newer.pk}/" in page(client, sample_issue).content.decode()
