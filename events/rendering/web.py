"""The public issue page: section labels in the issue's language, and the page as a string.

Used by the archive views, the feeds and `export_issue --format html`, so a reader sees one
layout wherever the issue is read.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static

from verification.models import VerificationStatus

from .labels import SECTION_LABELS, body_parts

LABELS = {
    "zh-hans": {
        **SECTION_LABELS["zh-hans"],
        "archived": "存档",
        "archived_title": "查看本站保存的存档副本",
        "link": "链接到这一条",
        "tags": "标签",
    },
    "en": {
        **SECTION_LABELS["en"],
        "archived": "archived copy",
        "archived_title": "Open the copy archived by this site",
        "link": "Link to this item",
        "tags": "Tags",
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


#: Apps above events add to the issue page (its share card, its downloads): each a function
#: issue -> dict of context, registered from the app's AppConfig.ready(), so events imports none.
_page_extras: list = []


def register_page_extra(extra) -> None:
    """Let an app above events add context to the public issue page."""
    if extra not in _page_extras:
        _page_extras.append(extra)


def issue_context(issue, *, base_url: str = "", preview: bool = False, extras: bool = True) -> dict:
    """What the issue templates need; `issue` comes from Issue.objects.for_issue_page().

    `extras=False` leaves out what other apps add (the article alone, in feeds and emails).
    """
    labels = labels_for(issue.language)
    added = {}
    for extra in _page_extras if extras else ():
        added.update(extra(issue))
    share_image = added.pop("share_image", None) or share_image_url(issue)
    return {
        "issue": issue,
        "labels": labels,
        "content_lang": "en" if issue.language == "en" else "zh-Hans",
        "coverage": labels["coverage"].format(
            start=issue.coverage_start.isoformat(), end=issue.coverage_end.isoformat()
        ),
        "conclusions": list(issue.conclusions.all()),
        "corrections": list(issue.corrections.all()),
        "parts": body_parts(issue, labels),
        "base_url": base_url,
        "site_url": settings.SITE_URL,
        "preview": preview,
        "schema": news_article(issue, image=share_image),
        "share_image": share_image,
        **added,
    }


def share_image_url(issue) -> str:
    """Absolute URL of the site's default card, shared until the issue has a card of its own."""
    return f"{settings.SITE_URL}{static('aidaily/share-default.png')}"


def news_article(issue, *, image: str = "") -> dict:
    """schema.org NewsArticle metadata of the issue (JSON-LD on its page)."""
    url = f"{settings.SITE_URL}{issue.get_absolute_url()}"
    corrections = list(issue.corrections.all())
    modified = corrections[-1].created_at if corrections else issue.published_at
    # The publication, not a person, signs each issue.
    brand = labels_for(issue.language)["brand"]
    organisation = {"@type": "Organization", "name": brand, "url": settings.SITE_URL}
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
        "image": [image or share_image_url(issue)],
        "author": organisation,
        "publisher": {
            **organisation,
            "logo": {
                "@type": "ImageObject",
                "url": f"{settings.SITE_URL}{static('aidaily/logo.png')}",
            },
        },
    }


def issue_body_html(issue, *, base_url: str = "") -> str:
    """The issue's article alone (no site chrome), for feeds and emails of the full issue."""
    context = issue_context(issue, base_url=base_url, extras=False)
    return render_to_string("events/_issue_body.html", context)


def render_issue_page(issue, *, request=None, preview: bool = False) -> str:
    """The whole public page of one issue as HTML; used by `export_issue --format html`."""
    if not getattr(issue, "_prefetched_objects_cache", None):
        from ..models import Issue

        issue = Issue.objects.for_issue_page().get(pk=issue.pk)
    base_url = "" if request is not None else settings.SITE_URL
    context = issue_context(issue, base_url=base_url, preview=preview)
    return render_to_string("events/issue.html", context, request=request)
