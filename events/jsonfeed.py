"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of the latest issues, beside Atom and RSS.

The same issues, titles and full content as the other two feeds (events/feeds.py), for readers
and services that take JSON.
"""

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils.html import strip_tags
from django.views.decorators.http import require_safe

from .feeds import FEED_SIZE, LatestIssuesRss
from .models import Issue
from .rendering.markdown import render_markdown
from .rendering.web import issue_body_html, labels_for

VERSION = "https://jsonfeed.org/version/1.1"
CONTENT_TYPE = "application/feed+json; charset=utf-8"


@require_safe
def latest_issues(request):
    """The latest published issues, newest first, as a JSON Feed."""
    issues = Issue.objects.published().for_issue_page().order_by("-date")[:FEED_SIZE]
    return JsonResponse(
        json_feed(list(issues)),
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def json_feed(issues) -> dict:
    """The feed object: its required version, title and items, and the recommended URLs."""
    site = settings.SITE_URL
    return {
        "version": VERSION,
        "title": str(LatestIssuesRss.title),
        "home_page_url": f"{site}{reverse('events:latest')}",
        "feed_url": f"{site}{reverse('events:feed-json')}",
        "description": str(LatestIssuesRss.description),
        "language": "zh-Hans",
        "authors": [{"name": labels_for("zh-hans")["brand"], "url": site}],
        "items": [_item(issue, site) for issue in issues],
    }


def _item(issue, site: str) -> dict:
    url = f"{site}{issue.get_absolute_url()}"
    corrections = list(issue.corrections.all())
    modified = corrections[-1].created_at if corrections else issue.published_at
    return {
        "id": url,
        "url": url,
        "title": issue.display_title,
        "content_html": issue_body_html(issue, base_url=site),
        # The spec's summary is plain text: the overview as readers see it, without markup.
        "summary": " ".join(strip_tags(render_markdown(issue.overview)).split())[:500],
        "date_published": issue.published_at.isoformat(),
        "date_modified": modified.isoformat(),
        "authors": [{"name": labels_for(issue.language)["brand"]}],
        "language": "en" if issue.language == "en" else "zh-Hans",
    }
