"""Where each baked URL path lives under STATIC_PAGES_ROOT/<language>/."""

import re
from pathlib import Path

from django.conf import settings

#: The pages every publication, correction and withdrawal renders again: path → file. A new
#: page of this kind (another feed) is one more entry; nginx finds it by the same names.
SITE_PAGES = {
    "/": "index.html",
    "/issues/": "issues/index.html",
    "/feed/": "feed/index.atom",
    "/feed/rss/": "feed/rss/index.rss",
    "/feed/json/": "feed/json/index.json",
    "/sitemap.xml": "sitemap.xml",
}
ISSUE_PATH = re.compile(r"^/issues/(\d{4}-\d{2}-\d{2})/$")
#: What each kind of file is served as (the same types the views answer with).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".xml": "application/xml",
}


def root() -> Path | None:
    """The directory of baked pages, or None when baking is turned off (an empty setting)."""
    value = getattr(settings, "STATIC_PAGES_ROOT", "")
    return Path(value) if value else None


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def relative_file(path: str) -> str | None:
    """The file of a URL path, relative to a language's directory; None if it is not baked."""
    if path in SITE_PAGES:
        return SITE_PAGES[path]
    if ISSUE_PATH.match(path):
        return f"{path.strip('/')}/index.html"
    return None


def file_for(path: str, language: str) -> Path | None:
    base, name = root(), relative_file(path)
    if base is None or name is None:
        return None
    return base / language / name


def content_type(file: Path) -> str:
    return CONTENT_TYPES.get(file.suffix, "application/octet-stream")
