"""Public archive views: latest issue, archive list, issue page, search, reviewer previews."""

from datetime import date as date_type

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from . import pagecache, preview
from .filters import IssueFilter
from .models import Event, Issue
from .rendering.web import issue_context
from .search import search as run_search
from .search import terms_of

ARCHIVE_PAGE_SIZE = 30
MAX_CACHED_QUERY = 300  # filters and a page number fit well within this


def _day(value: str) -> date_type:
    try:
        return date_type.fromisoformat(value)
    except ValueError as exc:
        raise Http404 from exc


def _issue_response(request, issue) -> HttpResponse:
    """Draft → 404 (staff: a marked preview), withdrawn → 410, published → the cached page."""
    if issue.status == Issue.Status.WITHDRAWN:
        return render(
            request,
            "events/withdrawn.html",
            {"issue": issue, "content_lang": "en" if issue.language == "en" else "zh-Hans"},
            status=410,
        )
    if issue.status != Issue.Status.PUBLISHED:
        if not request.user.is_staff:
            raise Http404
        return _preview_response(request, issue.pk)
    key = pagecache.version_key(issue)
    page = pagecache.get_page(key)
    if page is None:
        full = Issue.objects.for_issue_page().get(pk=issue.pk)
        html = render(request, "events/issue.html", issue_context(full)).content
        page = pagecache.store_page(issue.date, key, html)
    else:
        pagecache.point(issue.date, key, page)
    return pagecache.respond(request, page)


def _preview_response(request, issue_pk, *, expires=None) -> HttpResponse:
    full = Issue.objects.for_issue_page().get(pk=issue_pk)
    context = {**issue_context(full, preview=True), "preview_expires": expires}
    response = render(request, "events/issue.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def latest_issue(request):
    """The newest published issue, served at / (its canonical URL is its dated page)."""
    day = pagecache.latest_date()
    page = pagecache.cached_page(day) if day else None
    if page is not None:
        return pagecache.respond(request, page)
    issue = Issue.objects.published().with_page_version().order_by("-date").first()
    if issue is None:
        return render(request, "events/empty.html")
    pagecache.store_latest_date(issue.date)
    return _issue_response(request, issue)


@require_safe
def issue_page(request, date):
    """One issue by its date; a published page in cache is served without touching the database."""
    day = _day(date)
    page = pagecache.cached_page(day)
    if page is not None:
        return pagecache.respond(request, page)
    issue = Issue.objects.with_page_version().filter(date=day).first()
    if issue is None:
        raise Http404
    return _issue_response(request, issue)


@require_safe
def archive(request):
    """Every published issue, newest first, filterable and paginated; cached per version."""
    if len(request.GET.urlencode()) > MAX_CACHED_QUERY:  # odd requests are rendered, not stored
        return _render_archive(request)
    key = pagecache.archive_key(Issue.objects.archive_version(), request.GET)
    page = pagecache.archive_page(key)
    if page is None:
        page = pagecache.store_archive_page(key, _render_archive(request).content)
    return pagecache.respond(request, page)


def _render_archive(request) -> HttpResponse:
    events = Event.objects.only("pk", "issue_id", "rank", "title").order_by("rank")
    queryset = Issue.objects.for_archive().prefetch_related(
        Prefetch("events", queryset=events, to_attr="top_events")
    )
    issue_filter = IssueFilter(request.GET or None, queryset=queryset)
    page = Paginator(issue_filter.qs, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    dates = issue_filter.form.cleaned_data.get("date") if issue_filter.is_bound else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": issue_filter,
        "page": page,
        "query": query.urlencode(),
        # Only valid dates are echoed back into the date inputs.
        "date_after": dates.start if dates else None,
        "date_before": dates.stop if dates else None,
    }
    return render(request, "events/archive.html", context)


@require_safe
def search(request):
    """Search all published text; the words found are highlighted."""
    query = request.GET.get("q", "")[:100]
    hits = run_search(query) if query.strip() else []
    return render(
        request,
        "events/search.html",
        {"search_query": query, "hits": hits, "terms": terms_of(query)},
    )


@require_safe
def reviewer_preview(request, token):
    """An outside reviewer's signed link: the issue as it stands, until expiry or revocation."""
    try:
        link = preview.resolve(token)
    except preview.PreviewLinkError as exc:
        raise Http404 from exc
    return _preview_response(request, link.issue_id, expires=link.expires_at)


@require_safe
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"sitemap_url": f"{settings.SITE_URL}/sitemap.xml"},
        content_type="text/plain; charset=utf-8",
    )
