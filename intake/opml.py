"""OPML import and export of the feed list, so a team brings its reader's subscriptions."""

import xml.etree.ElementTree as ET

from django.db import transaction

from sources.fetcher import RefusedURL, check_url

from .models import Feed
from .parsing import ENTITY_DECLARATION

MAX_OPML_BYTES = 2 * 1024 * 1024
MAX_OUTLINES = 5000


class OPMLError(ValueError):
    """The upload is not an OPML file we accept."""


def export(feeds) -> bytes:
    """The feeds as an OPML 2.0 document, grouped by kind."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "aidaily intake feeds"
    body = ET.SubElement(root, "body")
    groups = {}
    for feed in feeds.order_by("kind", "name"):
        if feed.kind not in groups:
            groups[feed.kind] = ET.SubElement(body, "outline", text=feed.kind, title=feed.kind)
        ET.SubElement(
            groups[feed.kind],
            "outline",
            type="rss",
            text=feed.name,
            title=feed.name,
            xmlUrl=feed.url,
            category=feed.kind,
        )
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _outlines(data: bytes):
    if len(data) > MAX_OPML_BYTES:
        raise OPMLError("the OPML file is larger than 2 MB")
    if ENTITY_DECLARATION.search(data):
        raise OPMLError("the OPML file declares XML entities, which are refused")
    try:
        root = ET.fromstring(data)  # noqa: S314 - entity declarations were refused above
    except ET.ParseError as exc:
        raise OPMLError(f"not valid XML: {exc}") from exc
    if root.tag != "opml":
        raise OPMLError("the root element is not <opml>")
    parents = {child: parent for parent in root.iter() for child in parent}
    found = []
    for outline in root.iter("outline"):
        if outline.get("xmlUrl"):
            parent = parents.get(outline)
            group = parent.get("text", "") if parent is not None and parent.tag == "outline" else ""
            found.append((outline, group))
    return found[:MAX_OUTLINES]


@transaction.atomic
def import_feeds(data: bytes) -> tuple[int, list[str]]:
    """Add every outline with an xmlUrl not yet watched; returns (added, refused reasons)."""
    added, refused = 0, []
    for outline, group in _outlines(data):
        url = outline.get("xmlUrl").strip()
        try:
            check_url(url)
        except RefusedURL as exc:
            refused.append(f"{url[:100]}: {exc.message}")
            continue
        kind = outline.get("category") or group or ""
        kind = kind if kind in Feed.Kind.values else Feed.Kind.MEDIA
        name = (outline.get("title") or outline.get("text") or url)[:200]
        _feed, created = Feed.objects.get_or_create(url=url, defaults={"name": name, "kind": kind})
        added += created
    return added, refused
