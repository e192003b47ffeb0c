"""Hostile text in every field a reader sees is shown escaped or removed, never executed."""

import datetime
import json
from html.parser import HTMLParser

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from events import preview
from events.models import Citation, Conclusion, Correction, Issue, Tag
from sources.models import Source

from ...factories import (
    ChiefEditorFactory,
    EventFactory,
    IssueFactory,
    PaperFactory,
    SnapshotFactory,
    SocialSignalFactory,
)

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "<body onload=alert(1)>",
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<details open ontoggle=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '![x](x" onerror="alert(1))',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "javascript:alert(1)",
    "{{ 7|add:42 }}{% debug %}",
]
FORBIDDEN_TAGS = {"iframe", "img", "svg", "math", "style", "object", "embed", "details", "frame"}


class Checker(HTMLParser):
    """Collects whatever in a page could run a script or hijack the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.json_ld = []
        self._in_ld = False
        self.bodies = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            if attributes.get("type") == "application/ld+json":
                self._in_ld = True
            else:
                self.problems.append(f"<script {attrs}>")
        self.bodies += tag == "body"
        if tag in FORBIDDEN_TAGS or self.bodies > 1:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append("<meta http-equiv>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in {"href", "src", "action"} and value:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(data)


def assert_safe(html: str, payload: str = ""):
    checker = Checker()
    checker.feed(html)
    assert checker.problems == []
    for block in checker.json_ld:
        json.loads(block)  # still valid JSON: nothing broke out of the data block
    if "{{" in payload:
        assert "{{ 7|add:42 }}" in html  # shown as typed: no template evaluated the text


def hostile_issue(payload, *, status=Issue.Status.PUBLISHED):
    issue = IssueFactory(
        date=datetime.date(2026, 4, 8),
        title=payload[:200],
        coverage_note=payload,
        overview=payload,
        business_analysis=payload,
    )
    Conclusion.objects.create(issue=issue, position=1, text=payload)
    Correction.objects.create(issue=issue, text=payload)
    text = {"verification_note": payload, "verified": True}
    event = EventFactory(
        issue=issue,
        rank=1,
        title=payload,
        what_happened=payload,
        key_facts=payload,
        why_it_matters=payload,
        implications=payload,
        **text,
    )
    signal = SocialSignalFactory(
        issue=issue,
        rank=1,
        handle=payload[:100],
        headline=payload,
        signal_type=payload[:40],
        one_line_take=payload,
        post_url=payload,
        **text,
    )
    paper = PaperFactory(
        issue=issue,
        rank=1,
        name=payload,
        headline=payload,
        url=payload,
        what_it_does=payload,
        what_is_new=payload,
        applications=payload,
        one_line_take=payload,
        **text,
    )
    tag = Tag.objects.create(name=payload[:100], slug="hostile")
    # bulk_create skips the URL normalisation: as if stored before validation existed.
    Source.objects.bulk_create([Source(url=payload, publisher=payload)])
    source = Source.objects.get(url=payload)
    SnapshotFactory(source=source)
    for item, field in ((event, "event"), (signal, "signal"), (paper, "paper")):
        item.tags.add(tag)
        Citation.objects.create(**{field: item}, source=source, label=payload, position=1)
    # Written as a draft, then given its status the way the workflow sets it.
    published_at = timezone.now() if status == Issue.Status.PUBLISHED else None
    Issue.objects.filter(pk=issue.pk).update(status=status, published_at=published_at)
    issue.refresh_from_db()
    return issue


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_field_of_a_published_issue_is_rendered_safely(client, payload):
    hostile_issue(payload)
    for url in [
        "/",
        reverse("events:issue", args=["2026-04-08"]),
        reverse("events:archive"),
        reverse("events:archive") + "?tag=hostile",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safe(response.content.decode(), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_search_results_and_query_echo_are_safe(client, payload):
    hostile_issue(payload)
    for query in [payload, "alert", "script"]:
        response = client.get(reverse("events:search"), {"q": query})
        assert_safe(response.content.decode())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_feeds_carry_hostile_text_only_as_escaped_markup(client, payload):
    hostile_issue(payload)
    for name in ("events:feed", "events:feed-rss"):
        feed = feedparser.parse(client.get(reverse(name)).content)
        assert feed.bozo == 0
        entry = feed.entries[0]
        body = entry.content[0].value if "content" in entry else entry.summary
        assert_safe(body)


@pytest.mark.parametrize("payload", PAYLOADS[:8])
def test_withdrawal_reason_and_previews_are_safe(client, payload):
    issue = hostile_issue(payload, status=Issue.Status.WITHDRAWN)
    Issue.objects.filter(pk=issue.pk).update(withdrawal_reason=payload)
    response = client.get(reverse("events:issue", args=["2026-04-08"]))
    assert response.status_code == 410
    assert_safe(response.content.decode())
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.DRAFT)
    link = preview.create_link(issue=issue, by=ChiefEditorFactory())
    assert_safe(client.get(link.get_absolute_url()).content.decode())
