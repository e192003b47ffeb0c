"""Render baked paths through their own views and write the files that changed."""

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils import translation

from .. import pagecache
from . import files, layout

logger = logging.getLogger(__name__)


@dataclass
class Result:
    """Which files a bake wrote and removed (paths relative to STATIC_PAGES_ROOT)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


class _BakeRequest(HttpRequest):
    """An anonymous GET of a path, as a reader with no cookies would send it to SITE_URL."""

    def __init__(self, path: str, language: str):
        super().__init__()
        site = urlsplit(settings.SITE_URL)
        self.method = "GET"
        self.path = self.path_info = path
        self.GET = QueryDict()
        self.META = {"SERVER_NAME": site.hostname, "SERVER_PORT": str(site.port or 80)}
        self._site = site
        self.user = AnonymousUser()
        self.LANGUAGE_CODE = language

    def get_host(self) -> str:  # feeds and the sitemap build absolute links from it
        return self._site.netloc

    def _get_scheme(self) -> str:
        return self._site.scheme


def render(path: str, language: str) -> bytes | None:
    """The bytes a reader gets at `path` in `language`, or None when it is not a 200 page."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    with translation.override(language):
        response = match.func(_BakeRequest(path, language), *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response.render()
    return response.content if response.status_code == 200 else None


def bake(paths, *, result: Result | None = None) -> Result:
    """Render each path in each language; write what changed, remove what is no longer a page."""
    result = result or Result()
    base = layout.root()
    if base is None:
        return result
    for language in layout.languages():
        for path in paths:
            target = layout.file_for(path, language)
            body = render(path, language)
            name = str(target.relative_to(base))
            if body is None:
                if files.remove(target):
                    result.removed.append(name)
            elif files.write(target, body):
                result.written.append(name)
            else:
                result.unchanged += 1
    return result


def unbake(paths, *, result: Result | None = None) -> Result:
    """Remove the files of these paths in every language."""
    result = result or Result()
    base = layout.root()
    if base is None:
        return result
    for language in layout.languages():
        for path in paths:
            target = layout.file_for(path, language)
            if files.remove(target):
                result.removed.append(str(target.relative_to(base)))
    return result


def _bake_or_remove(paths, *, result: Result | None = None) -> Result:
    """Bake these paths; should rendering fail, remove their files rather than leave stale ones
    to be served (Django then renders each request until the next bake)."""
    try:
        return bake(paths, result=result)
    except Exception:
        logger.exception("baking %s failed", ", ".join(paths))
        return unbake(paths, result=result)


def issue_changed(issue) -> Result:
    """After a publication or correction: the issue's pages and the site pages again."""
    pagecache.forget(issue.date)  # the views read the cache: never bake a pointer to the old page
    return _bake_or_remove([issue.get_absolute_url(), *layout.SITE_PAGES])


def issue_page_changed(issue) -> Result:
    """The issue's own page again, after something it shows changed outside the workflow (an app
    above events made the issue's PDF or share card)."""
    pagecache.forget(issue.date)
    return _bake_or_remove([issue.get_absolute_url()])


def issue_withdrawn(issue) -> Result:
    """After a withdrawal: the issue's files go (Django answers 410), the site pages again."""
    pagecache.forget(issue.date)
    result = unbake([issue.get_absolute_url()])
    return _bake_or_remove(list(layout.SITE_PAGES), result=result)


def bake_everything() -> Result:
    """Every published issue and every site page (after a template or translation change);
    the files of dates no longer published are removed."""
    from ..models import Issue

    if layout.root() is None:
        return Result()
    days = Issue.objects.published().order_by("-date").values_list("date", flat=True)
    published = [f"/issues/{day.isoformat()}/" for day in days]
    result = bake([*layout.SITE_PAGES, *published])
    return unbake(sorted(set(baked_issue_paths()) - set(published)), result=result)


def baked_issue_paths() -> list[str]:
    """The issue paths that have a file in some language."""
    found = set()
    for language in layout.languages():
        for page in (layout.root() / language / "issues").glob("*/index.html"):
            path = f"/issues/{page.parent.name}/"
            if layout.ISSUE_PATH.match(path):
                found.add(path)
    return sorted(found)
