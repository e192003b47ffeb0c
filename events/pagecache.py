"""The cache of published pages: render once, serve from memory until what they show changes.

Two layers, so a cache hit costs no SQL at all:

- the page itself, keyed by a digest of everything it shows (issue row, last correction, last
  item edit, language), so a changed issue can never be served under an old key;
- a short-lived pointer from "the page of this date in this language" to that key. The pointer
  is dropped at once by the publication, correction and withdrawal signals in this process (and
  everywhere when CACHE_URL is shared); elsewhere it expires after POINTER_SECONDS, after which the
  next request re-reads the version from the database.

The archive list is cached the same way under a digest of the archive's version (one aggregate
query: how many issues are published, when any issue last changed, the newest correction), the
language and the filter and page asked for, so a publication, withdrawal or correction shows at
once (a new tag in the filter's list within PAGE_SECONDS). A hit is one query instead of four
and no render. The feeds are cached under the same version: a hit is that one query.

Each process also keeps the issue pages it served in memory (up to LOCAL_PAGES, each until
PAGE_SECONDS after its render), checked against the pointer, which names the page's key and the
token of that rendering: with a shared cache (Redis) a hit then costs the pointer's round trip
only, not the transfer and unpickling of the whole page on every request.

Every cached page carries its ETag (from the digest of its key, so equal content keeps an equal
tag in every process) and the time it was rendered as Last-Modified: never earlier than the
change it shows, so a conditional GET answers 304 only for what the reader already has.
"""

import hashlib
import secrets
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from .sections import SECTIONS
from .signals import issue_corrected, issue_published, issue_withdrawn

PAGE_SECONDS = 600  # bounds what the version cannot see, e.g. a newer snapshot of a source
POINTER_SECONDS = 5  # how stale a page may be in a process that did not see the change
LATEST = "events:latest-date"
LOCAL_PAGES = 128  # pages of ~50-100 KB kept per process
_local: dict[str, "Page"] = {}


class Page(NamedTuple):
    """A rendered public response as it is cached."""

    body: bytes
    etag: str
    modified: int
    content_type: str = "text/html; charset=utf-8"
    token: str = ""  # this rendering, named by the pointer


def new_page(key: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> Page:
    etag = f'"{key.rsplit(":", 1)[1][:32]}"'
    return Page(body, etag, int(time.time()), content_type, secrets.token_hex(8))


def get_page(key: str) -> Page | None:
    return cache.get(key)


def set_page(key: str, page: Page) -> Page:
    cache.set(key, page, PAGE_SECONDS)
    return page


def _local_page(key: str, token: str) -> Page | None:
    page = _local.get(key)
    if page is None or page.token != token or time.time() - page.modified >= PAGE_SECONDS:
        return None
    return page


def _remember(key: str, page: Page) -> None:
    _local.pop(key, None)
    if len(_local) >= LOCAL_PAGES:
        _local.pop(next(iter(_local)))  # the oldest stored
    _local[key] = page


def respond(request, page: Page) -> HttpResponse:
    """The cached page, or 304 Not Modified when the reader's copy is this one."""
    response = HttpResponse(page.body, content_type=page.content_type)
    response["ETag"] = page.etag
    response["Last-Modified"] = http_date(page.modified)
    patch_cache_control(response, public=True, max_age=60)
    # The interface language may come from the django_language cookie: shared caches must not
    # hand one reader's English page to another.
    patch_vary_headers(response, ["Cookie"])
    return get_conditional_response(
        request, etag=page.etag, last_modified=page.modified, response=response
    )


def feed_key(name: str, version: dict, host: str) -> str:
    """The cache key of a feed: its version, the language and the host its links are under."""
    parts = [name, host, *(f"{k}={version[k]}" for k in sorted(version))]
    parts.append(translation.get_language())
    return f"events:feed:{hashlib.sha256('|'.join(parts).encode()).hexdigest()}"


def version_key(issue) -> str:
    """The cache key of the page; `issue` comes from Issue.objects.with_page_version()."""
    parts = [
        issue.pk,
        issue.status,
        issue.updated_at,
        issue.published_at,
        issue.last_correction_id,
        *(getattr(issue, f"{kind.relation}_changed") for kind in SECTIONS),
        translation.get_language(),
    ]
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return f"events:issue-page:{digest}"


def archive_key(version: dict, query) -> str:
    """The cache key of an archive page: its version, the language, the filters and page."""
    parts = [*(f"{name}={version[name]}" for name in sorted(version)), translation.get_language()]
    parts += [f"{name}={value}" for name, value in sorted(query.lists())]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"events:archive-page:{digest}"


def archive_page(key: str) -> Page | None:
    return get_page(key)


def store_archive_page(key: str, html: bytes) -> Page:
    return set_page(key, new_page(key, html))


def _pointer(day, language=None) -> str:
    return f"events:issue-pointer:{day.isoformat()}:{language or translation.get_language()}"


def cached_page(day) -> Page | None:
    """The published page of that date from cache, or None (then ask the database)."""
    pointer = cache.get(_pointer(day))
    if not isinstance(pointer, tuple):
        return None
    key, token = pointer
    page = _local_page(key, token) or cache.get(key)
    if page is not None:
        _remember(key, page)
    return page


def store_page(day, key: str, html: bytes) -> Page:
    """Keep a freshly rendered page and point the date at it."""
    page = set_page(key, new_page(key, html))
    point(day, key, page)
    return page


def point(day, key: str, page: Page) -> None:
    """Point the date at a page already in cache (its own expiry is left alone)."""
    cache.set(_pointer(day), (key, page.token), POINTER_SECONDS)


def latest_date():
    """The date of the newest published issue, when recently looked up."""
    return cache.get(LATEST)


def store_latest_date(day) -> None:
    cache.set(LATEST, day, POINTER_SECONDS)


def forget(day) -> None:
    """Drop the pointers of that date (every language) and of the latest issue."""
    keys = [_pointer(day, code) for code, _name in settings.LANGUAGES]
    cache.delete_many([*keys, LATEST])


@receiver(issue_published)
@receiver(issue_corrected)
@receiver(issue_withdrawn)
def issue_changed(sender, issue, **kwargs):
    forget(issue.date)
