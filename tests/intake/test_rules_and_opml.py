"""Keep/block/boost rules, refused expressions, re-application; OPML in and out."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from intake import opml, stories
from intake.models import Entry, Feed, Rule, Story
from intake.parsing import ParsedEntry
from intake.rules import validate_pattern
from tests.factories import FeedFactory, RuleFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def put(feed, url, title, summary=""):
    stories.ingest(feed=feed, entries=[ParsedEntry(url, "", title, summary, NOW)], now=NOW)
    return Entry.objects.get(url=url)


def test_a_global_block_rule_hides_matching_entries_from_the_story():
    RuleFactory(action="block", pattern="Sponsored")
    entry = put(FeedFactory(), "https://a.example/ad", "SPONSORED: buy our GPU cloud")

    assert "Sponsored" in entry.blocked_reason
    assert entry.story.entry_count == 0


def test_keep_rules_of_a_feed_block_what_they_do_not_match():
    feed = FeedFactory()
    RuleFactory(feed=feed, action="keep", field="title", pattern=r"\bAI\b|人工智能", is_regex=True)
    kept = put(feed, "https://a.example/1", "人工智能芯片出口新规")
    dropped = put(feed, "https://a.example/2", "Football results")
    other = put(FeedFactory(), "https://b.example/3", "Football results from another feed")

    assert kept.blocked_reason == "" and other.blocked_reason == ""
    assert "保留规则" in dropped.blocked_reason


def test_boost_rules_raise_the_score():
    RuleFactory(action="boost", field="url", pattern="openai.com")
    put(FeedFactory(), "https://openai.com/news/x", "Something")
    put(FeedFactory(), "https://b.example/y", "Something else entirely different")

    ordered = list(Story.objects.with_score().order_by("-score").values_list("title", flat=True))
    assert ordered[0] == "Something"


def test_rules_are_reapplied_to_stored_entries():
    entry = put(FeedFactory(), "https://a.example/1", "Crypto token surges")
    rule = RuleFactory(action="block", pattern="crypto")

    assert stories.reapply_rules() == 1
    entry.refresh_from_db()
    assert entry.blocked_reason and entry.story.entry_count == 0
    rule.delete()
    stories.reapply_rules()
    entry.refresh_from_db()
    assert entry.blocked_reason == "" and entry.story.entry_count == 1


@pytest.mark.parametrize("pattern", ["(a+)+$", r"(\w*)*x", "(x{2,})+", "(a|aa)+", "((ab)*)+"])
def test_catastrophic_expressions_are_refused_with_a_message(pattern):
    with pytest.raises(ValidationError, match="灾难性回溯"):
        validate_pattern(pattern, is_regex=True)


@pytest.mark.parametrize(
    ("pattern", "message"), [("(unclosed", "无效"), ("", "不能为空"), ("a" * 301, "太长")]
)
def test_invalid_expressions_are_refused(pattern, message):
    with pytest.raises(ValidationError, match=message):
        validate_pattern(pattern, is_regex=True)


def test_ordinary_expressions_are_accepted():
    for pattern in (r"\bGPT-\d", "OpenAI|Anthropic", r"(融资|收购)\d+亿", "a+b*"):
        validate_pattern(pattern, is_regex=True)


def test_a_slow_expression_that_slips_past_the_check_is_bounded():
    # Not nested, but exponential on this input in a backtracking engine.
    rule = RuleFactory.build(pattern=r"^(\w|\d)+$", is_regex=True)
    Rule.objects.bulk_create([rule])  # stored without validation, as an old row might be

    # Without the match timeout this search would backtrack for hours and the test time out.
    entry = put(FeedFactory(), "https://a.example/slow", "1" * 40 + "!")

    assert entry.blocked_reason == ""  # a match that ran out of time blocks nothing


def test_rule_admin_refuses_a_catastrophic_pattern(editor_client):
    url = reverse("admin:intake_rule_add")

    response = editor_client.post(
        url,
        {"action": "block", "field": "any", "pattern": "(a+)+", "is_regex": "on", "enabled": "on"},
    )

    assert response.status_code == 200 and "灾难性回溯" in response.content.decode()
    assert not Rule.objects.exists()


def test_reapply_action_in_the_admin(editor_client):
    entry = put(FeedFactory(), "https://a.example/1", "Crypto token surges")
    rule = RuleFactory(action="block", pattern="crypto")

    editor_client.post(
        reverse("admin:intake_rule_changelist"),
        {"action": "reapply", "_selected_action": [rule.pk]},
    )

    entry.refresh_from_db()
    assert entry.blocked_reason


OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>subs</title></head><body>
  <outline text="official" title="official">
    <outline type="rss" text="OpenAI News" xmlUrl="https://openai.com/news/rss.xml"/>
  </outline>
  <outline type="rss" text="Hacker News" xmlUrl="https://news.ycombinator.com/rss"/>
  <outline type="rss" text="evil" xmlUrl="file:///etc/passwd"/>
  <outline text="folder without url"/>
</body></opml>"""


def test_opml_import_adds_feeds_with_their_kind_and_refuses_bad_urls():
    added, refused = opml.import_feeds(OPML)

    assert added == 2 and "file:///etc/passwd" in refused[0]
    assert Feed.objects.get(name="OpenAI News").kind == "official"
    assert Feed.objects.get(name="Hacker News").kind == "media"
    assert opml.import_feeds(OPML)[0] == 0  # already watched


def test_opml_round_trip():
    FeedFactory(name="新华社", url="https://xinhua.example/rss", kind="official")
    FeedFactory(name="Reuters", url="https://reuters.example/rss")
    exported = opml.export(Feed.objects.all())
    Feed.objects.all().delete()

    opml.import_feeds(exported)

    assert set(Feed.objects.values_list("name", "kind")) == {
        ("新华社", "official"),
        ("Reuters", "media"),
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html/>", "not <opml>"),
        (b"<opml", "not valid XML"),
        (b'<!DOCTYPE o [<!ENTITY a "b">]><opml/>', "entities"),
        (b"<opml>" + b" " * (3 * 1024 * 1024) + b"</opml>", "larger"),
    ],
)
def test_bad_opml_is_refused(data, message):
    with pytest.raises(opml.OPMLError, match=message):
        opml.import_feeds(data)


def test_opml_commands(tmp_path, capsys):
    path = tmp_path / "subs.opml"
    path.write_bytes(OPML)

    call_command("import_opml", str(path))
    assert "2 feeds added, 1 refused" in capsys.readouterr().out
    call_command("export_opml")
    assert 'xmlUrl="https://openai.com/news/rss.xml"' in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_opml", str(tmp_path / "missing.opml"))


def test_opml_admin_upload_and_export(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("subs.opml", OPML, content_type="text/x-opml")
    editor_client.post(reverse("admin:intake_feed_import_opml"), {"opml": upload})
    ids = list(Feed.objects.values_list("pk", flat=True))

    response = editor_client.post(
        reverse("admin:intake_feed_changelist"), {"action": "export_opml", "_selected_action": ids}
    )

    assert len(ids) == 2 and b"news.ycombinator.com" in response.content


def test_opml_upload_needs_the_permission(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    assert client.get(reverse("admin:intake_feed_import_opml")).status_code == 403


def test_merge_and_split_from_the_admin(editor_client):
    feed = FeedFactory()
    a = put(feed, "https://a.example/1", "Nvidia ships Blackwell Ultra racks")
    b = put(feed, "https://a.example/2", "欧盟人工智能法案进入执行阶段")

    editor_client.post(
        reverse("admin:intake_story_changelist"),
        {"action": "merge_stories", "_selected_action": [a.story_id, b.story_id]},
    )
    assert Story.objects.count() == 1
    editor_client.post(
        reverse("admin:intake_entry_changelist"),
        {"action": "split_off", "_selected_action": [b.pk]},
    )

    assert Story.objects.count() == 2
    assert datetime.timedelta(0) <= NOW - Story.objects.get(entries=b).first_seen
