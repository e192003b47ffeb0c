"""Publishing through the WeChat API against a local server speaking WeChat's documented shapes:
one draft per issue however the worker fails, a token refreshed once, errors reported."""

from datetime import timedelta

import pytest
from django.utils import timezone

from channels import http, services
from channels.models import ChannelDelivery

from ..factories import publishable_issue

S = ChannelDelivery.Status


class ProcessDied(BaseException):
    """The worker process is killed: nothing after this line of the sender runs."""


def queue(issue):
    (row,) = services.create_deliveries(issue, "publish")
    assert row.channel == "wechat"
    return row


def test_publication_makes_one_draft_and_submits_it(published, wechat):
    row = queue(published)
    assert services.deliver(row.pk) == S.SENT
    row.refresh_from_db()
    assert list(wechat.drafts) == ["MEDIA_ID_1"] and wechat.published == ["MEDIA_ID_1"]
    assert row.remote == {"media_id": "MEDIA_ID_1", "publish_id": "100000001"}
    article = wechat.drafts["MEDIA_ID_1"]
    assert article["title"] == published.display_title
    assert article["thumb_media_id"] == "THUMB_MEDIA_ID"
    assert article["content_source_url"].endswith(published.get_absolute_url())
    assert "参考来源" in article["content"]
    draft_request = next(r for r in wechat.server.requests if r.path == "/cgi-bin/draft/add")
    assert "\\u" not in draft_request.body.decode()  # UTF-8 text, which WeChat shows as written


def test_the_signal_queues_and_sends_on_publication(published, wechat):
    from events.signals import issue_published

    issue_published.send(sender=None, issue=published)
    assert ChannelDelivery.objects.get(issue=published).status == S.SENT
    issue_published.send(sender=None, issue=published)  # sent twice: the ledger has it already
    assert len(wechat.drafts) == 1


def test_crash_after_the_draft_request_left_never_makes_a_second_draft(
    published, wechat, monkeypatch
):
    real_post = http.post_json

    def dies_after_sending(url, body, **kwargs):
        response = real_post(url, body, **kwargs)
        if "/draft/add" in url:
            raise ProcessDied
        return response

    monkeypatch.setattr(http, "post_json", dies_after_sending)
    row = queue(published)
    with pytest.raises(ProcessDied):
        services.deliver(row.pk)
    monkeypatch.setattr(http, "post_json", real_post)

    # Celery delivers the task again (the worker died before acknowledging it).
    assert services.deliver(row.pk) is None
    later = timezone.now() + timedelta(seconds=3600)
    assert services.sweep(now=later) == 1
    assert services.deliver(row.pk, now=later) is None
    row.refresh_from_db()
    assert row.status == S.UNCERTAIN and "人工决定" in row.last_error
    assert len(wechat.drafts) == 1 and wechat.published == []


def test_no_answer_to_the_draft_request_is_uncertain_not_repeated(published, wechat):
    wechat.script["/cgi-bin/draft/add"] = [lambda request: wechat.draft_add(request) and None]
    row = queue(published)
    assert services.deliver(row.pk) == S.UNCERTAIN
    assert services.deliver(row.pk) is None
    assert len(wechat.drafts) == 1
    assert [p for p in wechat.server.paths() if p == "/cgi-bin/draft/add"] == ["/cgi-bin/draft/add"]


def test_a_stored_draft_is_submitted_again_never_drafted_again(published, wechat, monkeypatch):
    real_post = http.post_json

    def dies_on_submit(url, body, **kwargs):
        if "/freepublish/submit" in url:
            raise ProcessDied
        return real_post(url, body, **kwargs)

    monkeypatch.setattr(http, "post_json", dies_on_submit)
    row = queue(published)
    with pytest.raises(ProcessDied):
        services.deliver(row.pk)
    monkeypatch.setattr(http, "post_json", real_post)
    services.sweep(now=timezone.now() + timedelta(hours=1))
    row.refresh_from_db()
    assert row.status == S.UNCERTAIN and row.remote == {"media_id": "MEDIA_ID_1"}

    assert services.retry(row)  # the chief editor decides
    assert services.deliver(row.pk) == S.SENT
    assert len(wechat.drafts) == 1 and wechat.published == ["MEDIA_ID_1"]


def test_expired_token_is_fetched_again_once(published, wechat):
    row = queue(published)
    services.deliver(row.pk)
    wechat.expire_tokens()  # the cached token is now refused with 42001
    second = queue(publishable_issue(status="published", published_at=timezone.now()))
    assert services.deliver(second.pk) == S.SENT
    assert wechat.issued == ["ACCESS_TOKEN_1", "ACCESS_TOKEN_2"]
    assert len(wechat.drafts) == 2 and len(wechat.published) == 2


def test_busy_is_retried_with_backoff_and_then_sent(published, wechat):
    wechat.script["/cgi-bin/draft/add"] = [(200, {"errcode": -1, "errmsg": "system error"})]
    row = queue(published)
    assert services.deliver(row.pk) == S.QUEUED
    row.refresh_from_db()
    assert row.not_before > timezone.now() and "WeChat -1" in row.last_error
    assert services.deliver(row.pk) is None  # not due yet
    assert services.deliver(row.pk, now=row.not_before + timedelta(seconds=1)) == S.SENT
    assert len(wechat.drafts) == 1


def test_a_refusal_fails_with_wechat_s_reason(published, wechat, settings):
    settings.WECHAT_APP_SECRET = "wrong"
    row = queue(published)
    assert services.deliver(row.pk) == S.FAILED
    row.refresh_from_db()
    assert row.last_error == "WeChat 40125: invalid appsecret"
    assert wechat.drafts == {}


def test_a_title_over_the_limit_is_refused_by_the_gate_before_wechat_is_asked(db, wechat):
    from events import gate

    issue = publishable_issue(title="标题" * 20)
    found = [p for p in gate.problems(issue) if p.code == "channel"]
    assert len(found) == 1 and "微信公众号" in found[0].message and "32" in found[0].message
    assert wechat.server.requests == []


def test_gate_says_nothing_about_a_channel_that_is_off(db, settings):
    from events import gate

    settings.WECHAT_APP_ID = ""
    issue = publishable_issue(title="标题" * 20)
    assert [p for p in gate.problems(issue) if p.code == "channel"] == []
