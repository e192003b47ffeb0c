"""Polling through the SSRF-safe fetcher: conditional GET, Retry-After, backoff, isolation."""

import datetime
import hashlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import services, tasks
from intake.models import Entry, Feed, Poll, Story
from tests.factories import FeedFactory
from tests.sources.conftest import Reply

from .feeds import rss

pytestmark = pytest.mark.django_db
NOW = timezone.now()


TOPICS = [
    "Nvidia ships Blackwell Ultra racks to cloud providers",
    "欧盟人工智能法案进入执行阶段",
    "DeepMind solves a decades-old protein puzzle",
    "阿里云发布通义千问新版本并开源权重",
    "Robotics startup raises Series C for warehouse arms",
    "苹果在开发者大会上展示端侧大模型",
    "Microsoft signs nuclear power deal for datacentres",
    "字节跳动推出视频生成模型",
]


def items(n, prefix="story"):
    return [
        {
            "title": f"{TOPICS[i % len(TOPICS)]} ({prefix})"
            if n <= len(TOPICS)
            else f"{i} {i * i}",
            "link": f"https://outlet.example.com/{prefix}/{i}",
            "date": NOW - datetime.timedelta(hours=i),
        }
        for i in range(n)
    ]


def test_poll_stores_new_entries_and_records_the_poll(serve_feed):
    feed = serve_feed("/feed.xml", rss(items(3)))

    poll = services.poll(feed=feed)

    assert poll.outcome == Poll.Outcome.NEW and poll.new_entries == 3
    assert Entry.objects.filter(feed=feed).count() == 3
    assert Story.objects.count() == 3


def test_second_poll_sends_validators_and_a_304_changes_nothing(server, allow_local):
    body = rss(items(2))

    def reply():
        sent = server.requests[-1]["headers"]
        if sent.get("If-None-Match") == '"v1"':
            return Reply(304, b"", {"ETag": '"v1"'})
        return Reply(200, body, {"ETag": '"v1"', "Last-Modified": "Tue, 07 Apr 2026 01:00:00 GMT"})

    server.route("/c.xml", reply)
    feed = FeedFactory(url=server.url("/c.xml"))
    services.poll(feed=feed)

    poll = services.poll(feed=feed)

    assert poll.outcome == Poll.Outcome.UNCHANGED
    assert server.requests[-1]["headers"]["If-Modified-Since"] == "Tue, 07 Apr 2026 01:00:00 GMT"
    assert Entry.objects.count() == 2
    feed.refresh_from_db()
    assert feed.consecutive_errors == 0 and feed.etag == '"v1"'


def test_repolling_the_same_entries_adds_nothing(serve_feed):
    feed = serve_feed("/same.xml", rss(items(4)))
    services.poll(feed=feed)

    assert services.poll(feed=feed).new_entries == 0
    assert Entry.objects.count() == 4


def test_errors_back_off_exponentially_and_show_on_the_feed(server, allow_local):
    server.route("/down.xml", Reply(500, b"oops"))
    feed = FeedFactory(url=server.url("/down.xml"), poll_interval=datetime.timedelta(minutes=10))

    delays = []
    for _ in range(3):
        now = timezone.now()
        services.poll(feed=feed, now=now)
        feed.refresh_from_db()
        delays.append(feed.next_poll_at - now)

    assert delays == [datetime.timedelta(minutes=m) for m in (20, 40, 80)]
    assert "HTTP 500" in feed.last_error and feed.consecutive_errors == 3


def test_success_after_errors_clears_the_error(server, allow_local):
    feed = FeedFactory(url=server.route("/flaky.xml", Reply(503, b"")))
    services.poll(feed=feed)
    server.route("/flaky.xml", Reply(200, rss(items(1)), {"Content-Type": "application/rss+xml"}))

    services.poll(feed=feed)

    feed.refresh_from_db()
    assert feed.last_error == "" and feed.consecutive_errors == 0


def test_retry_after_is_honoured(server, allow_local):
    server.route("/busy.xml", Reply(429, b"", {"Retry-After": "7200"}))
    feed = FeedFactory(url=server.url("/busy.xml"))
    now = timezone.now()

    services.poll(feed=feed, now=now)

    feed.refresh_from_db()
    assert feed.next_poll_at - now == datetime.timedelta(hours=2)


def test_private_addresses_are_refused_as_for_snapshots(server, settings):
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = False
    feed = FeedFactory(url=server.route("/x.xml", Reply(200, rss(items(1)))))

    poll = services.poll(feed=feed)

    assert poll.outcome == Poll.Outcome.ERROR and "refused" in poll.error
    assert server.requests == []


def test_oversized_feed_is_an_error_and_nothing_is_written(serve_feed, settings):
    settings.FEED_MAX_BYTES = 2000
    feed = serve_feed("/big.xml", rss(items(40)))

    poll = services.poll(feed=feed)

    assert poll.outcome == Poll.Outcome.ERROR and "cut short" in poll.error
    assert Entry.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<rss><channel><item><title>broken", "not a feed"),
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss/>', "entities"),
        (b"\x00\x01\x02 binary", "not a feed"),
    ],
)
def test_hostile_feeds_are_recorded_as_errors(serve_feed, body, reason):
    feed = serve_feed("/bad.xml", body)

    poll = services.poll(feed=feed)

    feed.refresh_from_db()
    assert poll.outcome == Poll.Outcome.ERROR and reason in feed.last_error
    assert Entry.objects.count() == 0


def test_a_javascript_entry_is_skipped_with_its_reason_on_the_poll(serve_feed):
    bad = {"title": "click me", "link": "javascript:alert(document.cookie)", "date": NOW}
    feed = serve_feed("/js.xml", rss([bad, *items(1)]))

    poll = services.poll(feed=feed)

    assert poll.new_entries == 1 and "click me" in poll.skipped[0]
    assert not Entry.objects.filter(url__startswith="javascript").exists()


def test_dispatcher_queues_only_due_feeds_and_one_broken_feed_blocks_nobody(server, allow_local):
    server.route("/ok.xml", Reply(200, rss(items(2)), {"Content-Type": "application/rss+xml"}))
    server.route("/broken.xml", Reply(200, b"garbage"))
    broken = FeedFactory(url=server.url("/broken.xml"))
    good = FeedFactory(url=server.url("/ok.xml"))
    later = FeedFactory(url=server.url("/ok.xml?later"), next_poll_at=NOW + datetime.timedelta(1))

    assert tasks.poll_due_feeds() == 2

    assert Entry.objects.filter(feed=good).count() == 2
    broken.refresh_from_db()
    later.refresh_from_db()
    assert broken.last_error and later.last_polled_at is None


def test_claimed_feeds_are_not_queued_twice():
    FeedFactory.create_batch(3)

    first = services.claim_due(limit=10)

    assert len(first) == 3 and services.claim_due(limit=10) == []


def test_poll_feeds_command_prints_new_unchanged_and_errors(server, allow_local, capsys):
    server.route("/n.xml", Reply(200, rss(items(2)), {"Content-Type": "application/rss+xml"}))
    server.route("/u.xml", Reply(304, b""))
    server.route("/e.xml", Reply(404, b"nope"))
    for path in ("/n.xml", "/u.xml", "/e.xml"):
        FeedFactory(url=server.url(path), name=path.strip("/"))

    call_command("poll_feeds")

    out = capsys.readouterr().out
    assert "n.xml: 2 new entries" in out
    assert "u.xml: unchanged (304)" in out
    assert "e.xml: error:" in out and "404" in out
    assert "2 new entries, 1 unchanged, 1 errors" in out


def test_poll_feeds_one_feed_only(serve_feed, capsys):
    feed = serve_feed("/one.xml", rss(items(1)))
    FeedFactory(url="https://elsewhere.example.com/never.xml")

    call_command("poll_feeds", "--feed", str(feed.pk))

    assert "1 new entries, 0 unchanged, 0 errors" in capsys.readouterr().out


def test_add_feed_command(capsys):
    call_command(
        "add_feed", "https://openai.com/news/rss.xml", "--name", "OpenAI", "--kind", "official"
    )

    feed = Feed.objects.get()
    assert (feed.name, feed.kind) == ("OpenAI", "official")
    assert f"feed {feed.pk}: OpenAI" in capsys.readouterr().out


def test_add_feed_refuses_a_non_http_url():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="refused"):
        call_command("add_feed", "file:///etc/passwd")
    assert not Feed.objects.exists()


def test_the_same_bytes_without_validators_are_not_parsed_again(serve_feed, monkeypatch):
    feed = serve_feed("/plain.xml", rss(items(2)))
    services.poll(feed=feed)
    monkeypatch.setattr(services, "parse", lambda *a, **k: pytest.fail("parsed again"))

    poll = services.poll(feed=feed)

    assert poll.outcome == Poll.Outcome.UNCHANGED and poll.http_status == 200


def test_feed_admin_shows_the_last_error_and_polls_escaped(server, allow_local, editor_client):
    from django.urls import reverse

    hostile = "application/<img src=x onerror=alert(1)>"
    server.route("/x.xml", Reply(200, b"<p>x</p>", {"Content-Type": hostile}))
    feed = FeedFactory(url=server.url("/x.xml"))
    services.poll(feed=feed)

    body = editor_client.get(reverse("admin:intake_feed_change", args=[feed.pk])).content.decode()

    assert "unsupported content type" in body and "失败" in body
    assert "<img src=x onerror" not in body and "&lt;img src=x onerror" in body


def test_a_validator_with_a_line_break_is_not_sent(serve_feed, server):
    feed = serve_feed("/crlf.xml", rss(items(1)))
    feed.etag = '"v1"\r\nX-Injected: yes'
    feed.save()

    services.poll(feed=feed)

    sent = server.requests[-1]["headers"]
    assert "X-Injected" not in sent and "If-None-Match" not in sent
    assert "application/rss+xml" in sent["Accept"]


def distinct_items(numbers, *, site: str):
    """Entries whose titles share nothing (hashes), numbered so two sites can carry copies."""
    return [
        {
            "title": f"Report {hashlib.sha256(str(n).encode()).hexdigest()[:24]}",
            "link": f"https://{site}.example.com/{n}",
            "date": NOW - datetime.timedelta(minutes=n),
        }
        for n in numbers
    ]


def test_a_poll_costs_the_same_queries_for_fifty_entries_as_for_five(serve_feed):
    """Each response is stored with a fixed number of statements however many entries it has,
    so a busy desk's polls stay cheap, the near-duplicates among stored entries included."""
    small = serve_feed("/five.xml", rss(distinct_items(range(5), site="a")))
    large = serve_feed("/fifty.xml", rss(distinct_items(range(100, 150), site="b")))
    # Forty of the same headlines at another outlet, and five new ones.
    copies = serve_feed(
        "/copies.xml", rss(distinct_items([*range(100, 140), *range(200, 205)], site="c"))
    )

    five = _queries(services.poll, feed=small)
    fifty = _queries(services.poll, feed=large)
    joining = _queries(services.poll, feed=copies)

    assert fifty == five
    assert five <= 11  # SQLite; ten on PostgreSQL, whose COPYs the query log does not list
    assert joining <= five + 4  # the alike entries' times; the stories they join: read, updated
    assert Story.objects.count() == 60
    assert Story.objects.filter(entry_count=2).count() == 40


def _queries(function, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        function(**kwargs)
    return len(captured)
