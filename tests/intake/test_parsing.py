"""Every feed format and encoding, canonical URLs, and the hostile documents."""

import datetime

import pytest

from intake import parsing
from intake.parsing import FeedError, parse
from intake.text import UnsafeURL, canonical_url, plain_text

from .feeds import atom, json_feed, rdf, rss

WHEN = datetime.datetime(2026, 4, 7, 9, 30, tzinfo=datetime.UTC)
ITEM = {
    "title": "OpenAI 发布新一代推理模型",
    "link": "https://news.example.cn/a/1?utm_source=rss&id=7",
    "description": "<p>OpenAI <b>宣布</b>推出新模型。</p><script>alert(1)</script>",
    "date": WHEN,
}


def read(body, **kwargs):
    return parse(body, max_entries=kwargs.pop("max_entries", 500), **kwargs)


@pytest.mark.parametrize("build", [rss, rdf, atom, json_feed], ids=["rss2", "rdf", "atom", "json"])
def test_each_format_gives_the_same_normalised_entry(build):
    feed = read(build([ITEM]))

    [entry] = feed.entries
    assert entry.url == "https://news.example.cn/a/1?id=7"
    assert entry.title == "OpenAI 发布新一代推理模型"
    assert entry.summary == "OpenAI 宣布推出新模型。"
    assert entry.published_at == WHEN


def test_rss_091_is_read():
    feed = read(rss([ITEM], version="0.91"))

    assert [e.title for e in feed.entries] == ["OpenAI 发布新一代推理模型"]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "gb2312", "big5", "utf-16"])
def test_declared_encodings_are_decoded(encoding):
    feed = read(rss([ITEM | {"title": "人工智能模型"}], encoding=encoding))

    assert feed.entries[0].title == "人工智能模型"


def test_gbk_text_declared_as_gb2312_keeps_characters_outside_gb2312():
    # 镕 is in GBK but not GB2312; Chinese portals label GBK pages gb2312 all the time.
    body = rss([ITEM | {"title": "朱镕基谈人工智能"}], encoding="gbk").replace(b"gbk", b"gb2312")

    assert read(body).entries[0].title == "朱镕基谈人工智能"


def test_undeclared_gb18030_is_detected():
    title = "国产大模型发布，推理能力显著提升，价格大幅下调，开发者反响热烈"
    items = [
        ITEM | {"title": title, "description": title * 3, "link": f"https://a.cn/{n}"}
        for n in range(3)
    ]
    body = rss(items, encoding="gb18030", declare=False)

    assert read(body).entries[0].title == title


def test_charset_from_the_http_header_is_used_without_a_declaration():
    body = rss([ITEM | {"title": "深度学习"}], encoding="gb18030", declare=False)

    feed = read(body, content_type="application/rss+xml; charset=GB18030")

    assert feed.entries[0].title == "深度学习"


def test_invalid_xml_is_an_error_with_the_reason():
    with pytest.raises(FeedError, match="not a feed"):
        read(b"<html><body>this is <not a feed</body>")


def test_billion_laughs_is_refused_before_any_parsing(monkeypatch):
    lol = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{lol}]>'
        "<rss version='2.0'><channel><title>&lol9;</title></channel></rss>"
    ).encode()
    parsed = []
    monkeypatch.setattr(parsing.feedparser, "parse", lambda *a, **k: parsed.append(a))

    with pytest.raises(FeedError, match="entities"):
        read(body)
    assert parsed == []  # the entities were never expanded


def test_fifty_thousand_entries_are_capped_with_the_reason_before_parsing(monkeypatch):
    items = "".join(
        f"<item><title>t{n}</title><link>https://a.example/{n}</link></item>" for n in range(50000)
    )
    body = f"<rss version='2.0'><channel><title>x</title>{items}</channel></rss>".encode()

    parse = parsing.feedparser.parse
    handed_over = []
    monkeypatch.setattr(
        parsing.feedparser, "parse", lambda data, **k: handed_over.append(data) or parse(data, **k)
    )

    feed = read(body, max_entries=200)

    assert handed_over[0].count(b"<item>") == 200  # cut before parsing, not after
    assert len(feed.entries) == 200
    assert "50000 entries" in feed.skipped[0]


def test_javascript_link_entry_is_skipped_with_the_reason_and_the_rest_kept():
    items = [ITEM | {"link": "javascript:alert(1)", "title": "bad"}, ITEM]

    feed = read(rss(items))

    assert [e.title for e in feed.entries] == [ITEM["title"]]
    assert "bad" in feed.skipped[0] and "http(s)" in feed.skipped[0]


def test_atom_rel_canonical_wins_over_the_alternate_link():
    item = ITEM | {"link": "https://m.example.com/x", "canonical": "https://www.example.com/x"}

    assert read(atom([item])).entries[0].url == "https://www.example.com/x"


def test_rss_permalink_guid_is_used_when_there_is_no_link():
    item = {k: v for k, v in ITEM.items() if k != "link"}
    item |= {"guid": "https://news.example.cn/p/9", "permalink": True}

    assert read(rss([item])).entries[0].url == "https://news.example.cn/p/9"


def test_json_without_a_jsonfeed_version_is_refused():
    with pytest.raises(FeedError, match="JSON Feed"):
        read(b'{"items": []}')


def test_deeply_nested_json_is_an_error_not_a_crash():
    with pytest.raises(FeedError):
        read(b"[" * 100000 + b"]" * 100000)


def test_canonical_url_rules():
    url = "HTTPS://News.Example.COM:443/a/B?utm_medium=x&b=2&spm=1.2&a=1&from=timeline&gclid=9#top"

    assert canonical_url(url) == "https://news.example.com/a/B?b=2&a=1"
    assert canonical_url("http://example.com:8080/?fbclid=1") == "http://example.com:8080/"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "/relative", "ftp://h/"]
)
def test_canonical_url_refuses_what_is_not_http(url):
    with pytest.raises(UnsafeURL):
        canonical_url(url)


def test_summary_is_plain_text_without_markup_or_scripts():
    assert plain_text("<img src=x onerror=alert(1)>A &amp; B<script>x()</script>") == "A & B"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ('OpenAI says "GPT-5 > GPT-4"', 'OpenAI says "GPT-5 > GPT-4"'),
        ("\ufeff智谱\x00发布  新模型\r\n", "智谱发布 新模型"),
        ("A &lt;b&gt; tag", "A <b> tag"),
    ],
)
def test_plain_titles_keep_their_characters_and_lose_nul_and_bom(raw, shown):
    # Most titles carry no markup and skip the sanitiser; they must read exactly as if they had
    # gone through it, and a NUL (which PostgreSQL refuses in text) must still be dropped.
    assert plain_text(raw) == shown
