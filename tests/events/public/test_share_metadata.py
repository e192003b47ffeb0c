"""What feed validators, crawlers and link previews read: authors, languages, absolute URLs."""

import datetime
import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse
from lxml import etree, html

from ...factories import IssueFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def atom_entries(client):
    root = etree.fromstring(client.get(reverse("events:feed")).content)
    return root, root.findall(f"{ATOM}entry")


def test_every_atom_entry_names_the_publication_as_author(client, sample_issue):
    IssueFactory(published=True, language="en", date=datetime.date(2026, 4, 9))
    root, entries = atom_entries(client)
    assert len(entries) == 2
    names = [entry.findtext(f"{ATOM}author/{ATOM}name") for entry in entries]
    assert names == ["AI Frontier Daily", "AI前沿发展日报"]
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "AI前沿发展日报"


def test_an_english_issue_entry_is_marked_english_in_a_chinese_feed(client, sample_issue):
    IssueFactory(published=True, language="en", date=datetime.date(2026, 4, 9))
    root, entries = atom_entries(client)
    assert root.get(XML_LANG) == "zh-hans"
    langs = {entry.findtext(f"{ATOM}title"): entry.get(XML_LANG) for entry in entries}
    assert langs == {
        "AI Frontier Daily | 2026-04-09": "en",
        "AI前沿发展日报 | 2026-04-08": "zh-hans",
    }


@override_settings(SITE_URL="https://daily.example.org", ALLOWED_HOSTS=["*"])
def test_sitemap_locations_use_site_url_not_the_request_host(client, sample_issue):
    xml = client.get("/sitemap.xml", HTTP_HOST="internal.lan:8080").content
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = etree.fromstring(xml).xpath("//s:loc/text()", namespaces=ns)
    assert "https://daily.example.org/issues/2026-04-08/" in locations
    assert all(loc.startswith("https://daily.example.org/") for loc in locations), locations


def page_head(client, issue):
    return html.fromstring(client.get(issue.get_absolute_url()).content)


def test_news_article_json_ld_names_author_image_and_publisher_logo(client, sample_issue):
    doc = page_head(client, sample_issue)
    (script,) = doc.xpath('//script[@type="application/ld+json"]/text()')
    article = json.loads(script)
    assert article["author"] == {
        "@type": "Organization",
        "name": "AI前沿发展日报",
        "url": "http://127.0.0.1:8000",
    }
    assert article["image"] and all(
        u.startswith("http://127.0.0.1:8000/") for u in article["image"]
    )
    logo = article["publisher"]["logo"]["url"]
    assert logo.startswith("http://127.0.0.1:8000/static/") and logo.endswith(".png")


def test_issue_page_offers_an_absolute_share_image_to_link_previews(client, sample_issue):
    doc = page_head(client, sample_issue)
    og_image = doc.xpath('//meta[@property="og:image"]/@content')
    assert og_image and og_image[0].startswith("http://127.0.0.1:8000/static/")
    assert doc.xpath('//meta[@name="twitter:card"]/@content') == ["summary_large_image"]
    assert doc.xpath('//meta[@name="twitter:image"]/@content') == og_image


def test_share_card_and_logo_are_png_files_of_the_announced_size():
    for name, size in (("aidaily/share-default.png", (1200, 630)), ("aidaily/logo.png", None)):
        data = Path(finders.find(name)).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        if size:
            width, height = int.from_bytes(data[16:20]), int.from_bytes(data[20:24])
            assert (width, height) == size
