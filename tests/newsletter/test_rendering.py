import pytest

from events.dailyformat.importer import import_text
from events.models import Issue
from events.rendering.email import UNSUBSCRIBE_PLACEHOLDER, render_email
from newsletter.message import MessageTemplate

from ..factories import EventFactory, IssueFactory, SubscriberFactory, cite
from ..seed import seed_text

pytestmark = pytest.mark.django_db

GMAIL_CLIPS_AT = 102 * 1024


@pytest.fixture
def sample_issue():
    return import_text(seed_text()).issue


def test_sample_issue_html_stays_under_the_size_gmail_clips(sample_issue):
    rendered = render_email(sample_issue)

    size = len(rendered.html.encode("utf-8"))
    assert 20 * 1024 < size < GMAIL_CLIPS_AT, size
    assert "<style" not in rendered.html and 'style="' in rendered.html  # CSS is inlined
    for heading in ("今日总览", "今日三条结论", "今日 Top 5 大事件", "前沿研究速递"):
        assert heading in rendered.html and heading in rendered.text


def test_subject_preheader_and_web_link_follow_the_house_style(sample_issue, settings):
    settings.SITE_URL = "https://daily.example.org"
    rendered = render_email(sample_issue)

    assert rendered.subject == "AI前沿发展日报 | 2026-04-08"
    assert rendered.preheader.startswith("头部模型公司的竞争")
    assert rendered.preheader in rendered.html
    assert "https://daily.example.org/issues/2026-04-08/" in rendered.html
    assert "https://daily.example.org/issues/2026-04-08/" in rendered.text
    assert rendered.text.count(UNSUBSCRIBE_PLACEHOLDER) == 1


def test_script_and_javascript_links_in_analyst_text_never_reach_the_email():
    issue = IssueFactory(overview="<script>alert(1)</script> [点我](javascript:alert(2))")
    event = EventFactory(issue=issue, title="<img src=x onerror=alert(3)>", what_happened="**ok**")
    cite(event, label="<b onmouseover=alert(4)>来源</b>")

    html = render_email(issue).html

    assert "<script" not in html and "javascript:" not in html
    assert "onerror" not in html.replace("onerror=alert(3)&gt;", "")
    assert "<b onmouseover" not in html
    assert "<strong>ok</strong>" in html


def test_english_issue_is_sent_with_english_labels():
    issue = IssueFactory(language=Issue.Language.ENGLISH, with_conclusions=3)
    EventFactory(issue=issue)

    rendered = render_email(issue)

    assert rendered.subject == f"AI Frontier Daily | {issue.date:%Y-%m-%d}"
    assert "Three conclusions" in rendered.html and "Top 1 events" in rendered.html
    assert "Unsubscribe" in rendered.text


def test_personalised_copy_of_the_sample_stays_under_the_clip_size(sample_issue):
    reader = SubscriberFactory()
    rendered = render_email(sample_issue)
    template = MessageTemplate(subject=rendered.subject, html=rendered.html, text=rendered.text)

    raw = template.build(to=reader.email, token=reader.token, message_id="<x@y>")

    import email
    import email.policy

    message = email.message_from_bytes(raw, policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    assert len(html.encode()) < GMAIL_CLIPS_AT
    assert reader.token in html and UNSUBSCRIBE_PLACEHOLDER not in html
