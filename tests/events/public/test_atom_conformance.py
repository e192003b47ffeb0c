"""The Atom feed against RFC 4287's requirements, as the W3C feed validator checks them.

The W3C validator is not published on PyPI or in Debian, so the musts it reports are checked
here one by one: the elements every feed and entry must carry, identifiers that are absolute
IRIs, RFC 3339 dates, text constructs of a known type whose HTML parses, alternate links that do
not repeat a type and language, language tags that are well formed.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from lxml import etree, html

from ...factories import IssueFactory

pytestmark = pytest.mark.django_db

NS = "http://www.w3.org/2005/Atom"
A = f"{{{NS}}}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
TEXT_TYPES = {"text", "html", "xhtml"}


def _problems_of_text(element, where: str) -> list[str]:
    kind = element.get("type", "text")
    if kind not in TEXT_TYPES:
        return [f"{where}: type {kind!r} is not text, html or xhtml"]
    if kind == "html" and (element.text or "").strip():
        try:
            html.fragment_fromstring(element.text, create_parent="div")
        except etree.ParserError as error:
            return [f"{where}: its HTML does not parse ({error})"]
    return []


def _problems_of_common(element, where: str, *, needs_author: bool) -> list[str]:
    """What RFC 4287 §4.1.1 and §4.1.2 require of a feed and of an entry alike."""
    found = []
    for name in ("id", "title", "updated"):
        if len(element.findall(A + name)) != 1:
            found.append(f"{where}: needs exactly one atom:{name}")
    identifier = element.findtext(A + "id") or ""
    if not urlsplit(identifier).scheme:
        found.append(f"{where}: id {identifier!r} is not an absolute IRI")
    for stamp in element.findall(A + "updated") + element.findall(A + "published"):
        if not RFC3339.match(stamp.text or ""):
            found.append(f"{where}: {stamp.text!r} is not an RFC 3339 date")
    for name in ("title", "subtitle", "summary", "rights"):
        for text in element.findall(A + name):
            found += _problems_of_text(text, f"{where} atom:{name}")
    if needs_author:
        names = [author.findtext(A + "name") for author in element.findall(A + "author")]
        if not names or not all((name or "").strip() for name in names):
            found.append(f"{where}: Missing entry element: author (with a name)")
    alternates = [
        (link.get("type"), link.get("hreflang"))
        for link in element.findall(A + "link")
        if link.get("rel", "alternate") == "alternate"
    ]
    if len(alternates) != len(set(alternates)):
        found.append(f"{where}: two alternate links share a type and hreflang")
    for link in element.findall(A + "link"):
        if not urlsplit(link.get("href") or "").scheme:
            found.append(f"{where}: link {link.get('href')!r} is not absolute")
    return found


def atom_problems(document: bytes) -> list[str]:
    root = etree.fromstring(document)
    if root.tag != A + "feed":
        return ["the document is not an atom:feed"]
    found = []
    feed_has_author = bool(root.findall(A + "author"))
    found += _problems_of_common(root, "feed", needs_author=False)
    if not any(link.get("rel") == "self" for link in root.findall(A + "link")):
        found.append("feed: Missing atom:link with rel=self")
    identifiers = [entry.findtext(A + "id") for entry in root.findall(A + "entry")]
    if len(identifiers) != len(set(identifiers)):
        found.append("feed: two entries share an id")
    for number, entry in enumerate(root.findall(A + "entry"), start=1):
        where = f"entry {number}"
        found += _problems_of_common(entry, where, needs_author=not feed_has_author)
        if not entry.findall(A + "author"):
            found.append(f"{where}: Missing entry element: author")
        content = entry.find(A + "content")
        has_alternate = any(
            link.get("rel", "alternate") == "alternate" for link in entry.findall(A + "link")
        )
        if content is None and not has_alternate:
            found.append(f"{where}: needs atom:content or an alternate link")
        if content is None or content.get("src"):
            if entry.find(A + "summary") is None:
                found.append(f"{where}: needs atom:summary without inline content")
        elif content is not None:
            found += _problems_of_text(content, f"{where} atom:content")
    for element in root.iter():
        language = element.get(XML_LANG)
        if language is not None and not LANGUAGE_TAG.match(language):
            found.append(f"{element.tag}: xml:lang {language!r} is not a language tag")
    return found


def test_the_atom_feed_meets_rfc_4287_with_issues_in_both_languages(client, sample_issue):
    IssueFactory(published=True, language="en", date=datetime.date(2026, 4, 9))
    feed = client.get(reverse("events:feed"))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert atom_problems(feed.content) == []


def test_an_empty_atom_feed_still_meets_rfc_4287(client):
    assert atom_problems(client.get(reverse("events:feed")).content) == []


def test_hostile_titles_leave_the_feed_valid(client, sample_issue):
    IssueFactory(
        published=True,
        date=datetime.date(2026, 4, 9),
        title="<script>alert(1)</script> & ]]> \u202e",
        overview="<img src=x onerror=alert(1)> [[[[[[[[x]]]]]]]] ****",
    )
    assert atom_problems(client.get(reverse("events:feed")).content) == []


def test_the_checker_reports_what_the_w3c_validator_would():
    broken = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh hans"><title>t</title>'
        b"<id>relative</id><updated>2026-04-08</updated>"
        b"<entry><title type='markdown'>x</title><id>urn:x</id>"
        b"<updated>2026-04-08T08:00:00Z</updated></entry></feed>"
    )
    found = "\n".join(atom_problems(broken))
    for expected in (
        "not an absolute IRI",
        "not an RFC 3339 date",
        "Missing atom:link with rel=self",
        "Missing entry element: author",
        "type 'markdown'",
        "needs atom:content or an alternate link",
        "is not a language tag",
    ):
        assert expected in found
