"""Entries grouped into stories: near-duplicates merged, different stories apart, edits kept."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from intake import services, stories
from intake.models import Entry, Story
from intake.parsing import ParsedEntry
from tests.factories import FeedFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def entry(url, title, summary="", *, hours_ago=1):
    return ParsedEntry(url, "", title, summary, NOW - datetime.timedelta(hours=hours_ago))


def ingest(feed, *entries):
    return stories.ingest(feed=feed, entries=list(entries), now=NOW)


def test_near_duplicate_chinese_reports_from_two_outlets_are_one_story():
    a, b = FeedFactory(name="36氪"), FeedFactory(name="机器之心", official=True)
    ingest(
        a, entry("https://36kr.com/p/1", "OpenAI 发布 GPT-5.5，推理能力大幅提升，API 价格下调一半")
    )
    ingest(
        b,
        entry(
            "https://jiqizhixin.com/a/2",
            "OpenAI发布GPT-5.5：推理能力大幅提升，API价格下调一半｜快讯",
        ),
    )

    story = Story.objects.get()
    assert story.entry_count == 2 and story.outlet_count == 2
    assert story.best_tier == 1  # the official feed's tier
    assert story.title.startswith("OpenAI发布GPT-5.5")


def test_near_duplicate_english_reports_are_one_story():
    a, b = FeedFactory(), FeedFactory()
    ingest(
        a,
        entry(
            "https://reuters.example/x",
            "Anthropic raises $30 billion in new funding round led by sovereign funds",
        ),
    )
    ingest(
        b,
        entry(
            "https://ft.example/y",
            "Anthropic raises $30 billion in a new funding round led by sovereign funds - FT",
        ),
    )

    assert Story.objects.count() == 1


def test_different_stories_stay_apart_even_on_the_same_subject():
    feed = FeedFactory()
    ingest(
        feed,
        entry("https://a.example/1", "OpenAI 发布 GPT-5.5，推理能力大幅提升"),
        entry("https://a.example/2", "OpenAI 发布 GPT-5.5 mini，面向移动端"),
        entry(
            "https://a.example/3", "Google announces Gemini 4 with real-time video understanding"
        ),
        entry("https://a.example/4", "Google cuts Gemini API prices for enterprise customers"),
    )

    assert Story.objects.count() == 4


def test_near_duplicates_outside_the_window_are_separate_stories(settings):
    settings.FEED_DEDUP_WINDOW_DAYS = 14
    feed = FeedFactory()
    title = "Meta releases Llama 5 with open weights and a ten million token context"
    ingest(feed, entry("https://a.example/old", title, hours_ago=20 * 24))
    ingest(feed, entry("https://b.example/new", title))

    assert Story.objects.count() == 2


def test_the_same_canonical_url_is_one_entry_across_feeds():
    ingest(FeedFactory(), entry("https://a.example/1?id=3", "Story"))
    ingest(FeedFactory(), entry("https://a.example/1?id=3", "Story (syndicated)"))

    assert Entry.objects.count() == 1


def test_story_first_seen_is_its_earliest_entry():
    feed = FeedFactory()
    title = "Mistral opens a datacentre in France for sovereign AI workloads"
    ingest(feed, entry("https://a.example/late", title, hours_ago=1))
    ingest(feed, entry("https://b.example/early", title + " (update)", hours_ago=5))

    assert Story.objects.get().first_seen == NOW - datetime.timedelta(hours=5)


def test_manual_merge_survives_a_repoll(serve_feed):
    from .feeds import rss

    items = [
        {"title": "Nvidia ships Blackwell Ultra racks", "link": "https://a.example/1", "date": NOW},
        {"title": "欧盟人工智能法案进入执行阶段", "link": "https://a.example/2", "date": NOW},
    ]
    feed = serve_feed("/m.xml", rss(items))
    services.poll(feed=feed)
    merged = stories.merge(stories=list(Story.objects.all()))

    services.poll(feed=feed)

    assert Story.objects.count() == 1
    assert merged.entries.count() == 2


def test_manual_split_survives_a_repoll_and_new_copies_join_the_split_story(serve_feed):
    from .feeds import rss

    title = "Apple shows on-device language models at its developer conference"
    items = [
        {"title": title, "link": "https://a.example/1", "date": NOW},
        {"title": title + " - live", "link": "https://b.example/2", "date": NOW},
    ]
    feed = serve_feed("/s.xml", rss(items))
    services.poll(feed=feed)
    assert Story.objects.count() == 1
    split_off = stories.split(entries=[Entry.objects.get(url="https://b.example/2")])

    services.poll(feed=feed)

    assert Story.objects.count() == 2
    assert split_off.entries.get().manually_placed


def test_intake_command_prints_stories_as_json(capsys):
    feed = FeedFactory(name="Reuters")
    ingest(feed, entry("https://reuters.example/ai", "Chip export rules tightened"))

    call_command(
        "intake", "--since", (NOW - datetime.timedelta(days=1)).date().isoformat(), "--json"
    )

    [story] = json.loads(capsys.readouterr().out)
    assert story["title"] == "Chip export rules tightened"
    assert story["entries"] == [
        {
            "url": "https://reuters.example/ai",
            "feed": "Reuters",
            "title": "Chip export rules tightened",
        }
    ]
    assert story["covered_before"] == []
    assert datetime.datetime.fromisoformat(story["first_seen"]).utcoffset() == datetime.timedelta(
        hours=8
    )


def test_intake_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("intake", "--since", "yesterday", "--json")
