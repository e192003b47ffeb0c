"""The archived copy: a banner page on our origin, the captured page in a sandboxed frame.

The captured page itself is served with `Content-Security-Policy: sandbox`, so its scripts never
run with our origin's rights (archived JavaScript on the admin's origin was ArchiveBox's worst
advisory), and it may load nothing from the live web. With SNAPSHOT_ORIGIN set, captured pages
are served only from that separate domain, as Perma.cc does.

Anyone may read the captures of a source a published issue cites; staff who may view snapshots
read them all. Every other id answers 404, as a missing one does, so the sequential ids tell an
anonymous reader nothing. The captured page may be framed from SNAPSHOT_ORIGIN, where no staff
session exists: the banner gives staff a signed, short-lived link to the one capture instead.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from . import archive_reader
from .models import Snapshot
from .normalise import readable_url, wire_url

BANNER_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src {frames}; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PAGE_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors {ancestors}"
)
SERVED_TYPES = {"text/html", "application/xhtml+xml", "text/plain", "application/pdf"}
FRAME_TOKEN_SALT = "sources.snapshot-page"  # noqa: S105 - a namespace for signatures, not a secret
FRAME_TOKEN_SECONDS = 3600  # a banner left open that long must be reloaded to show its frame


def _frame_token(pk) -> str:
    return signing.dumps(pk, salt=FRAME_TOKEN_SALT)


def _has_frame_token(request, pk) -> bool:
    try:
        signed = signing.loads(
            request.GET.get("t", ""), salt=FRAME_TOKEN_SALT, max_age=FRAME_TOKEN_SECONDS
        )
    except signing.BadSignature:  # expired, forged or missing
        return False
    return signed == pk


def _succeeded(request, pk, *, frame_token=False) -> Snapshot:
    """The successful capture with this id, if the request may read it; 404 otherwise."""
    snapshots = Snapshot.objects.select_related("source").succeeded()
    if not (frame_token and _has_frame_token(request, pk)):
        snapshots = snapshots.visible_to(request.user)
    return get_object_or_404(snapshots, pk=pk)


def _private(request, response, *, frame_token=False) -> None:
    """Keep a staff-only answer out of shared caches."""
    if request.user.is_staff or frame_token:
        patch_cache_control(response, private=True, no_store=True)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _redirected_to(snapshot) -> str:
    """Where the page was finally fetched from, readable, when that is not the source's address
    (final_url is recorded as sent: percent-encoded, the host in IDNA)."""
    final = snapshot.final_url
    if not final or wire_url(final) == wire_url(snapshot.source.url):
        return ""
    return readable_url(final)


@require_safe
def snapshot_view(request, pk):
    """The banner (original URL, time, sha256, WARC download) above the captured page."""
    snapshot = _succeeded(request, pk)
    page_path = reverse("sources:snapshot-page", args=[snapshot.pk])
    if request.user.is_staff:  # the frame's origin may not see the staff session
        page_path += f"?t={_frame_token(snapshot.pk)}"
    frame_url = f"{settings.SNAPSHOT_ORIGIN}{page_path}" if settings.SNAPSHOT_ORIGIN else page_path
    response = render(
        request,
        "sources/snapshot.html",
        {
            "snapshot": snapshot,
            "source": snapshot.source,
            "frame_url": frame_url,
            "original_url": snapshot.source.url if snapshot.source.url.startswith("http") else "",
            "redirected_to": _redirected_to(snapshot),
            "has_warc": bool(snapshot.warc_file),
        },
    )
    frames = " ".join(filter(None, ["'self'", _origin(settings.SNAPSHOT_ORIGIN)]))
    response["Content-Security-Policy"] = BANNER_POLICY.format(frames=frames)
    _private(request, response)
    return response


@require_safe
@xframe_options_exempt  # framing is governed by the CSP frame-ancestors below
def snapshot_page_view(request, pk):
    """The captured body as it was served, sandboxed, for the banner page's frame."""
    if settings.SNAPSHOT_ORIGIN and _origin(request.build_absolute_uri("/")) != _origin(
        settings.SNAPSHOT_ORIGIN
    ):
        raise Http404("captured pages are served from SNAPSHOT_ORIGIN only")
    snapshot = _succeeded(request, pk, frame_token=True)
    if not snapshot.warc_file:
        raise Http404("this capture has no stored page")
    kind = snapshot.content_type.split(";", 1)[0].strip().lower()
    if kind not in SERVED_TYPES:
        kind = "text/plain"  # never let a capture pick a type a browser would run or sniff
    content_type = kind
    if kind != "application/pdf" and snapshot.charset:
        content_type += f"; charset={snapshot.charset}"
    response = StreamingHttpResponse(
        # Never more than a capture may hold: a gzip bomb's stored bytes unpack far past it.
        archive_reader.iter_page_body(snapshot, limit=settings.SNAPSHOT_MAX_BYTES),
        content_type=content_type,
    )
    ancestors = " ".join(filter(None, ["'self'", _origin(settings.SITE_URL)]))
    response["Content-Security-Policy"] = PAGE_POLICY.format(ancestors=ancestors)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = (
        "cross-origin" if settings.SNAPSHOT_ORIGIN else ("same-origin")
    )
    response["Referrer-Policy"] = "no-referrer"
    # The raw page is not ours to be found by: a search engine lists the banner page (itself
    # noindex) at most, never a copy of someone else's page under our name.
    response["X-Robots-Tag"] = "noindex, nofollow"
    _private(request, response, frame_token="t" in request.GET)
    return response


@require_safe
def snapshot_warc_view(request, pk):
    """Download the capture's WARC records, readable by any web-archive tool."""
    snapshot = _succeeded(request, pk)
    if not snapshot.warc_file:
        raise Http404("this capture has no WARC file")
    response = FileResponse(
        archive_reader.open_capture(snapshot),
        as_attachment=True,
        filename=f"aidaily-snapshot-{snapshot.pk}.warc.gz",
        content_type="application/warc",
    )
    length = archive_reader.capture_length(snapshot)
    if length is not None:  # a part of a batch's file cannot be measured by seeking
        response["Content-Length"] = str(length)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    _private(request, response)
    return response
