"""The inbox page, covered-before, and the one-click add to today's issue."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.models import Citation, Event, Issue, Paper, SocialSignal
from intake import stories
from intake.models import Story
from intake.parsing import ParsedEntry
from sources.models import Snapshot
from tests.factories import (
    CitationFactory,
    EventFactory,
    FeedFactory,
    IssueFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
INBOX = reverse("admin:intake_inbox")


def today_issue(**kwargs):
    today = timezone.localdate()
    return IssueFactory(date=today, coverage_start=today - datetime.timedelta(days=7), **kwargs)


def story_from(*pairs, hours_ago=2):
    """pairs of (feed, url, title) ingested now; returns the story of the first one."""
    now = timezone.now()
    for feed, url, title in pairs:
        entry = ParsedEntry(
            url, "", title, f"{title}。详情见原文。", now - datetime.timedelta(hours=hours_ago)
        )
        stories.ingest(feed=feed, entries=[entry], now=now)
    return Story.objects.get(entries__url=pairs[0][1])


def test_inbox_lists_todays_stories_with_their_outlets(analyst_client):
    today_issue()
    reuters, xinhua = FeedFactory(name="Reuters"), FeedFactory(name="新华社", official=True)
    story_from(
        (
            reuters,
            "https://reuters.example/a",
            "Nvidia ships Blackwell Ultra racks to cloud providers",
        ),
        (
            xinhua,
            "https://xinhua.example/b",
            "Nvidia ships Blackwell Ultra racks to cloud providers today",
        ),
    )

    response = analyst_client.get(INBOX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="inbox-story') == 1
    assert "Reuters" in body and "新华社" in body and "2 家来源" in body


def test_inbox_escapes_feed_text(analyst_client):
    today_issue()
    story_from((FeedFactory(name="<b>x</b>"), "https://a.example/1", "<script>alert(1)</script>"))

    body = analyst_client.get(INBOX).content.decode()

    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_inbox_filters_by_feed_keyword_and_state(analyst_client):
    today_issue()
    a, b = FeedFactory(name="A"), FeedFactory(name="B", kind="paper")
    one = story_from((a, "https://a.example/1", "Robotics startup raises Series C"))
    two = story_from((b, "https://b.example/2", "字节跳动推出视频生成模型"))
    one.state = Story.State.DISMISSED
    one.save()

    def shown(**params):
        body = analyst_client.get(INBOX, params).content.decode()
        return {s.pk for s in (one, two) if f'id="story-{s.pk}"' in body}

    assert shown() == {two.pk}
    assert shown(state="dismissed") == {one.pk}
    assert shown(kind="paper") == {two.pk}
    assert shown(q="视频") == {two.pk}
    assert shown(feed=str(a.pk)) == set()
    assert shown(feed="not-a-number", order="'; drop table") == {two.pk}


def test_inbox_query_count_does_not_grow_with_stories(analyst_client, django_assert_num_queries):
    issue = today_issue()
    CitationFactory(event=EventFactory(issue=IssueFactory(date=issue.date - datetime.timedelta(3))))
    feeds = [FeedFactory() for _ in range(3)]
    titles = [
        "Nvidia ships racks",
        "欧盟法案执行",
        "DeepMind protein",
        "阿里云千问开源",
        "Apple on-device",
    ]
    for n, title in enumerate(titles):
        story_from((feeds[n % 3], f"https://a.example/{n}", f"{title} {n}"))
    analyst_client.get(INBOX)  # warm the session and permission caches

    with django_assert_num_queries(13) as few:
        analyst_client.get(INBOX)
    for n in range(5, 25):
        story_from((feeds[n % 3], f"https://b.example/{n}", f"独立新闻标题 {n * 7919} 主题 {n}"))

    with django_assert_num_queries(len(few.captured_queries)):
        analyst_client.get(INBOX)


def test_inbox_needs_the_permission(client):
    client.force_login(UserFactory())

    assert client.get(INBOX).status_code == 403
    assert client.post(INBOX, {"action": "dismiss", "story": "1"}).status_code == 403


def test_bulk_dismiss(analyst_client):
    today_issue()
    feed = FeedFactory()
    one = story_from((feed, "https://a.example/1", "Robotics startup raises Series C"))
    two = story_from((feed, "https://a.example/2", "字节跳动推出视频生成模型"))

    analyst_client.post(INBOX, {"action": "dismiss", "story": [one.pk, two.pk]})

    assert set(Story.objects.values_list("state", flat=True)) == {"dismissed"}


def test_one_story_button_ignores_other_ticked_boxes(analyst_client):
    today_issue()
    feed = FeedFactory()
    one = story_from((feed, "https://a.example/1", "Robotics startup raises Series C"))
    two = story_from((feed, "https://a.example/2", "字节跳动推出视频生成模型"))

    analyst_client.post(INBOX, {"action": f"star:{one.pk}", "story": [one.pk, two.pk]})

    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.state, two.state) == ("starred", "new")


def test_one_click_add_as_event_cites_every_entry_and_queues_captures(
    analyst_client, analyst, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("sources.services._queue_task", queued.append)
    issue = today_issue()
    EventFactory(issue=issue, rank=1)
    reuters, official = (
        FeedFactory(name="Reuters"),
        FeedFactory(name="OpenAI 官方博客", official=True),
    )
    story = story_from(
        (
            official,
            "https://openai.example/news/gpt",
            "OpenAI 发布 GPT-5.5，推理能力大幅提升，API 价格下调一半",
        ),
        (
            reuters,
            "https://reuters.example/gpt",
            "OpenAI发布GPT-5.5：推理能力大幅提升，API价格下调一半｜快讯",
        ),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(INBOX, {"action": f"add-event:{story.pk}"}, follow=True)

    event = Event.objects.get(issue=issue, rank=2)
    assert event.created_by == analyst
    labels = list(Citation.objects.filter(event=event).values_list("label", "source__url"))
    assert labels == [
        ("OpenAI 官方博客", "https://openai.example/news/gpt"),
        ("Reuters", "https://reuters.example/gpt"),
    ]
    pending = Snapshot.objects.filter(source__citations__event=event)
    assert pending.count() == 2 and sorted(queued) == sorted(s.pk for s in pending)
    story.refresh_from_db()
    assert story.state == "used" and story.used_label == "event-2"
    assert story.used_url == reverse("admin:events_event_change", args=[event.pk])
    assert "event-2" in response.content.decode()


@pytest.mark.parametrize(("section", "model"), [("signal", SocialSignal), ("paper", Paper)])
def test_one_click_add_as_signal_or_paper(analyst_client, section, model):
    issue = today_issue()
    story = story_from(
        (
            FeedFactory(name="arXiv", kind="paper"),
            "https://arxiv.example/abs/1",
            "A new agent benchmark",
        )
    )

    analyst_client.post(INBOX, {"action": f"add-{section}:{story.pk}"})

    item = model.objects.get(issue=issue)
    assert item.citations.get().label == "arXiv"


def test_adding_twice_is_refused_with_a_message(analyst_client):
    today_issue()
    story = story_from((FeedFactory(), "https://a.example/1", "Robotics startup raises Series C"))
    analyst_client.post(INBOX, {"action": f"add-event:{story.pk}"})

    response = analyst_client.post(INBOX, {"action": f"add-event:{story.pk}"}, follow=True)

    assert Event.objects.count() == 1
    assert "已经采用为 event-1" in response.content.decode()


def test_add_without_a_draft_for_today_is_refused(analyst_client):
    today_issue(status=Issue.Status.IN_REVIEW)
    story = story_from((FeedFactory(), "https://a.example/1", "Robotics startup raises Series C"))

    response = analyst_client.post(INBOX, {"action": f"add-event:{story.pk}"}, follow=True)

    assert not Event.objects.exists()
    assert "没有可编辑的日报草稿" in response.content.decode()


@pytest.mark.parametrize("action", ["add-bogus:1", "add-event:999999", "nuke", "add-event:abc"])
def test_malformed_actions_change_nothing(analyst_client, action):
    today_issue()
    story_from((FeedFactory(), "https://a.example/1", "Robotics startup raises Series C"))

    response = analyst_client.post(INBOX, {"action": action}, follow=True)

    assert response.status_code == 200 and not Event.objects.exists()


def test_a_user_without_item_permission_cannot_add(client):
    user = UserFactory()
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_story", "change_story"])
    )
    client.force_login(user)
    today_issue()
    story = story_from((FeedFactory(), "https://a.example/1", "Robotics startup raises Series C"))

    client.post(INBOX, {"action": f"add-event:{story.pk}"})

    assert not Event.objects.exists()


def test_covered_before_by_a_cited_url(analyst_client):
    today = timezone.localdate()
    earlier = IssueFactory(date=today - datetime.timedelta(days=3), published=True)
    source = SourceFactory(url="https://reuters.example/chips")
    CitationFactory(event=EventFactory(issue=earlier, rank=1, title="Unrelated"), source=source)
    today_issue()
    story_from(
        (FeedFactory(), "https://reuters.example/chips", "Chip export rules tightened again")
    )

    body = analyst_client.get(INBOX).content.decode()

    assert f"已见于 {earlier.date.isoformat()} 日报，event-1" in body


def test_covered_before_by_near_duplicate_text(capsys):
    today = timezone.localdate()
    earlier = IssueFactory(date=today - datetime.timedelta(days=2), published=True)
    draft = IssueFactory(date=today - datetime.timedelta(days=1))
    EventFactory(
        issue=draft, title="Meta releases Llama 5 with open weights and a 10 million token context"
    )
    EventFactory(
        issue=earlier,
        rank=2,
        title="Meta releases Llama 5 with open weights and a ten million token context",
        what_happened="",
    )
    feed = FeedFactory()
    story_from(
        (
            feed,
            "https://new.example/llama",
            "Meta releases Llama 5 with open weights and a 10 million token context",
        )
    )
    story_from((feed, "https://new.example/other", "字节跳动推出视频生成模型"))

    call_command("intake", "--json")

    printed = {s["title"]: s["covered_before"] for s in json.loads(capsys.readouterr().out)}
    assert printed["字节跳动推出视频生成模型"] == []
    [hit] = next(v for k, v in printed.items() if k.startswith("Meta"))
    assert hit == {"date": earlier.date.isoformat(), "item": "event-2"}


def test_dashboard_links_to_the_inbox(analyst_client):
    body = analyst_client.get(reverse("admin:index")).content.decode()

    assert f'href="{INBOX}"' in body
