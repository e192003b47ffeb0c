"""The public issue page: section labels in the issue's language, and the page as a string.

Used by the archive views, the feeds and `export_issue --format html`, so a reader sees one
layout wherever the issue is read.
"""

from django.conf import settings
from django.template.loader import render_to_string

from verification.models import VerificationStatus

LABELS = {
    "zh-hans": {
        "brand": "AI前沿发展日报",
        "date": "日期",
        "coverage": "覆盖窗口：重点核查 {start} 至 {end}",
        "overview": "今日总览",
        "conclusions": "今日三条结论",
        "events": "今日 Top {n} 大事件",
        "what_happened": "发生了什么",
        "key_facts": "关键信息",
        "why_it_matters": "为什么重要",
        "implications": "对产业/企业的启发",
        "sources": "可信来源",
        "business": "商业与应用解读",
        "signals": "X 平台高信号观点",
        "type": "类型",
        "verification": "验证状态",
        "take": "一句话判断",
        "item_sources": "来源",
        "papers": "前沿研究速递",
        "what_it_does": "做了什么",
        "what_is_new": "新在哪里",
        "applications": "潜在应用方向",
        "archived": "存档",
        "archived_title": "查看本站保存的存档副本",
        "corrections": "更正",
        "link": "链接到这一条",
        "tags": "标签",
        "colon": "：",
    },
    "en": {
        "brand": "AI Frontier Daily",
        "date": "Date",
        "coverage": "Coverage window: {start} to {end}",
        "overview": "Overview",
        "conclusions": "Three conclusions",
        "events": "Top {n} events",
        "what_happened": "What happened",
        "key_facts": "Key facts",
        "why_it_matters": "Why it matters",
        "implications": "Implications",
        "sources": "Sources",
        "business": "Business analysis",
        "signals": "Social signals",
        "type": "Type",
        "verification": "Verification",
        "take": "One-line take",
        "item_sources": "Sources",
        "papers": "Research",
        "what_it_does": "What it does",
        "what_is_new": "What is new",
        "applications": "Applications",
        "archived": "archived copy",
        "archived_title": "Open the copy archived by this site",
        "corrections": "Corrections",
        "link": "Link to this item",
        "tags": "Tags",
        "colon": ": ",
    },
}

STATUS_LABELS = {
    "zh-hans": {status.value: str(status.label) for status in VerificationStatus},
    "en": {
        "unverified": "Unverified",
        "verified": "Verified",
        "partially_verified": "Partially verified",
        "disputed": "Disputed",
        "refuted": "Refuted",
        "unverifiable": "Unverifiable",
    },
}


def labels_for(language: str) -> dict:
    """Section labels for the issue's content language (Chinese unless the issue is English)."""
    key = "en" if language == "en" else "zh-hans"
    return {**LABELS[key], "status": STATUS_LABELS[key]}


def issue_context(issue, *, base_url: str = "", preview: bool = False) -> dict:
    """What the issue templates need; `issue` comes from Issue.objects.for_issue_page()."""
    labels = labels_for(issue.language)
    events = list(issue.events.all())
    return {
        "issue": issue,
        "labels": labels,
        "content_lang": "en" if issue.language == "en" else "zh-Hans",
        "coverage": labels["coverage"].format(
            start=issue.coverage_start.isoformat(), end=issue.coverage_end.isoformat()
        ),
        "conclusions": list(issue.conclusions.all()),
        "corrections": list(issue.corrections.all()),
        "events": events,
        "events_heading": labels["events"].format(n=len(events)),
        "signals": list(issue.signals.all()),
        "papers": list(issue.papers.all()),
        "base_url": base_url,
        "site_url": settings.SITE_URL,
        "preview": preview,
        "schema": news_article(issue),
    }


def news_article(issue) -> dict:
    """schema.org NewsArticle metadata of the issue (JSON-LD on its page)."""
    url = f"{settings.SITE_URL}{issue.get_absolute_url()}"
    corrections = list(issue.corrections.all())
    modified = corrections[-1].created_at if corrections else issue.published_at
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": issue.display_title,
        "description": " ".join(issue.overview.split())[:300],
        "datePublished": issue.published_at.isoformat() if issue.published_at else None,
        "dateModified": modified.isoformat() if modified else None,
        "inLanguage": issue.language,
        "mainEntityOfPage": url,
        "url": url,
        "publisher": {"@type": "Organization", "name": labels_for(issue.language)["brand"]},
    }


def issue_body_html(issue, *, base_url: str = "") -> str:
    """The issue's article alone (no site chrome), for feeds and emails of the full issue."""
    return render_to_string("events/_issue_body.html", issue_context(issue, base_url=base_url))


def render_issue_page(issue, *, request=None, preview: bool = False) -> str:
    """The whole public page of one issue as HTML; used by `export_issue --format html`."""
    if not getattr(issue, "_prefetched_objects_cache", None):
        from ..models import Issue

        issue = Issue.objects.for_issue_page().get(pk=issue.pk)
    base_url = "" if request is not None else settings.SITE_URL
    context = issue_context(issue, base_url=base_url, preview=preview)
    return render_to_string("events/issue.html", context, request=request)
