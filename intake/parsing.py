"""Feed bytes → entries: RSS 0.9x/2.0, RDF/RSS 1.0 and Atom by feedparser, JSON Feed by its spec.

Nothing here touches the database: a feed is parsed in full, and refused or skipped entries are
given a reason, before anything is written.
"""

import calendar
import codecs
import json
import re
import xml.sax
from dataclasses import dataclass, field
from datetime import UTC, datetime

import charset_normalizer
import feedparser
from django.utils.dateparse import parse_datetime

from .text import UnsafeURL, canonical_url, plain_text

XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._:-]+)[\"'][^>]*\?>")
ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
#: GB2312 and GBK labels are routinely used for text that needs the GB18030 superset.
SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "iso-8859-1": "cp1252"}
JSON_FEED = "https://jsonfeed.org/version/1"
ENTRY_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")
ENTRY_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


class FeedError(Exception):
    """The response is not a feed we can read; the message says why."""


@dataclass
class ParsedEntry:
    url: str
    guid: str
    title: str
    summary: str
    published_at: datetime | None


@dataclass
class ParsedFeed:
    title: str = ""
    entries: list[ParsedEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one reason per entry not taken


def _encoding_of(data: bytes, content_type: str) -> str:
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16")):
        if data.startswith(bom):
            return name
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    declared = XML_DECLARATION.match(data)
    label = (declared.group(1).decode() if declared else "") or _charset(content_type)
    if label:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            name = ""
        if name:
            return SUPERSETS.get(label.lower(), SUPERSETS.get(name, name))
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        guess = charset_normalizer.from_bytes(data[:65536]).best()
        name = guess.encoding if guess else "utf-8"
        return SUPERSETS.get(name, "gb18030" if name.startswith(("gb", "big5")) else name)


def _charset(content_type: str) -> str:
    found = CHARSET.search(content_type or "")
    return found.group(1) if found else ""


def to_utf8(data: bytes, content_type: str = "") -> bytes:
    """The document as UTF-8 with its XML declaration saying so, whatever it was sent in."""
    encoding = _encoding_of(data, content_type)
    text = data.decode(encoding, errors="replace").lstrip("\ufeff")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    return text.encode("utf-8")


def parse(data: bytes, *, content_type: str = "", max_entries: int) -> ParsedFeed:
    """Parse a feed body; raises FeedError for anything that is not a readable feed."""
    if not data.strip():
        raise FeedError("empty response")
    body = to_utf8(data, content_type)
    if body.lstrip()[:1] in (b"{", b"["):
        return _parse_json(body, max_entries=max_entries)
    if ENTITY_DECLARATION.search(body):
        # Entity expansion is how billion-laughs documents blow up; no real feed declares any.
        raise FeedError("the document declares XML entities, which are refused")
    body, total = _cap_entries(body, max_entries)
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXException):
        raise FeedError(f"not a feed: invalid XML: {problem}")
    if not parsed.get("version") and not parsed.entries:
        raise FeedError(f"not a feed: {problem or 'no RSS, Atom or RDF root element'}")
    feed = ParsedFeed(title=plain_text(parsed.feed.get("title", ""), limit=200))
    if total > max_entries:
        feed.skipped.append(_capped(total, max_entries))
    _take(feed, parsed.entries, _from_feedparser, max_entries)
    return feed


def _capped(total: int, kept: int) -> str:
    return f"the feed has {total} entries; only the first {kept} are read"


def _cap_entries(body: bytes, max_entries: int) -> tuple[bytes, int]:
    """Cut the document after max_entries entries, keeping its closing tags, before parsing:
    feedparser spends about a millisecond an entry, so a 50,000-entry feed is a denial of
    service long before its entries are counted."""
    starts = [m.start() for m in ENTRY_START.finditer(body)]
    if len(starts) <= max_entries:
        return body, len(starts)
    ends = list(ENTRY_END.finditer(body))
    tail = body[ends[-1].end() :] if ends else b""
    return body[: starts[max_entries]] + tail, len(starts)


def _take(feed: ParsedFeed, raw_entries, convert, max_entries: int) -> None:
    if len(raw_entries) > max_entries:
        feed.skipped.append(_capped(len(raw_entries), max_entries))
    seen = set()
    for raw in raw_entries[:max_entries]:
        try:
            entry = convert(raw)
        except (UnsafeURL, ValueError, TypeError, AttributeError) as exc:
            feed.skipped.append(f"{_label(raw)}: {exc}")
            continue
        if entry.url in seen:
            continue
        seen.add(entry.url)
        feed.entries.append(entry)


def _label(raw) -> str:
    title = raw.get("title") if isinstance(raw, dict) else None
    return plain_text(str(title), limit=80) if title else "entry without title"


def _from_feedparser(raw) -> ParsedEntry:
    links = raw.get("links") or []
    canonical = next((x.get("href") for x in links if x.get("rel") == "canonical"), None)
    guid = raw.get("id") or ""
    permalink = guid if raw.get("guidislink") or guid.startswith(("http://", "https://")) else ""
    url = canonical_url(canonical or raw.get("link") or permalink)
    summary = raw.get("summary") or ""
    if not summary and raw.get("content"):
        summary = raw["content"][0].get("value", "")
    when = raw.get("published_parsed") or raw.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(when), UTC) if when else None
    return _entry(url, guid, raw.get("title") or "", summary, published)


def _entry(url: str, guid: str, title: str, summary: str, published) -> ParsedEntry:
    title = plain_text(title, limit=500)
    summary = plain_text(summary)
    if not title and not summary:
        raise ValueError("entry has neither title nor summary")
    return ParsedEntry(url, guid[:1000], title or summary[:120], summary, published)


def _parse_json(body: bytes, *, max_entries: int) -> ParsedFeed:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"invalid JSON: {exc}") from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(JSON_FEED):
        raise FeedError("JSON without a JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("JSON Feed without an items list")
    feed = ParsedFeed(title=plain_text(str(document.get("title", "")), limit=200))
    _take(feed, items, _from_json_item, max_entries)
    return feed


def _from_json_item(item) -> ParsedEntry:
    if not isinstance(item, dict):
        raise ValueError("item is not an object")
    guid = str(item.get("id", ""))
    url = canonical_url(str(item.get("url") or item.get("external_url") or guid))
    summary = item.get("summary") or item.get("content_text") or item.get("content_html") or ""
    when = item.get("date_published") or item.get("date_modified")
    published = parse_datetime(str(when)) if when else None
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return _entry(url, guid, str(item.get("title") or ""), str(summary), published)
