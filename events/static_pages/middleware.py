"""Answer public pages from their baked files, ahead of sessions, locale and the database.

A page with a file is read once per process and kept in memory while the file's inode, size and
mtime stay the same (one stat() per request), so a rewrite by the baker in any process shows at
the next request. Anything without a file — a query string, a draft, a preview, a path that is
not baked — goes on to Django as before. Conditional GET is answered here too.
"""

from email.utils import formatdate
from typing import NamedTuple

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language_from_request

from . import files, layout

MEMORY_LIMIT = 512  # files kept in memory per process; the newest issues are what readers ask for


class _Loaded(NamedTuple):
    stamp: tuple
    body: bytes
    etag: str
    modified: float


_memory: dict = {}


def _load(target) -> _Loaded | None:
    try:
        stat = target.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    loaded = _memory.get(target)
    if loaded is None or loaded.stamp != stamp:
        try:
            body = target.read_bytes()
        except FileNotFoundError:  # removed between stat and read: a withdrawal
            return None
        if len(_memory) >= MEMORY_LIMIT:
            _memory.pop(next(iter(_memory)))
        loaded = _memory[target] = _Loaded(stamp, body, files.etag(body), stat.st_mtime)
    return loaded


def response_for(request) -> HttpResponse | None:
    """The baked page of this request, a 304 for it, or None (then Django renders)."""
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return None
    language = get_language_from_request(request)
    target = layout.file_for(request.path_info, language)
    loaded = _load(target) if target is not None else None
    if loaded is None:
        return None
    response = HttpResponse(loaded.body, content_type=layout.content_type(target))
    response["ETag"] = loaded.etag
    response["Last-Modified"] = formatdate(loaded.modified, usegmt=True)
    response["Content-Language"] = language
    patch_cache_control(response, public=True, max_age=60)
    # The language comes from the cookie or Accept-Language, as LocaleMiddleware reads it.
    response["Vary"] = "Cookie, Accept-Language"
    return get_conditional_response(
        request, etag=loaded.etag, last_modified=int(loaded.modified), response=response
    )


class StaticPagesMiddleware:
    """Serve baked files before the rest of the stack (sessions, locale, auth) is reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return response_for(request) or self.get_response(request)
