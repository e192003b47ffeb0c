"""A published issue, and settings that switch each channel on against a local server."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from channels.models import WebhookEndpoint

from ..factories import publishable_issue
from .servers import FakeWeChat, Server


@pytest.fixture(autouse=True)
def local_servers_allowed(settings):
    """The fake platforms listen on 127.0.0.1, which the fetcher's rules refuse by default."""
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = True
    settings.CHANNELS_TIMEOUT = 5
    cache.clear()


@pytest.fixture
def published(db):
    return publishable_issue(status="published", published_at=timezone.now())


@pytest.fixture
def wechat(settings):
    fake = FakeWeChat()
    with Server(fake) as server:
        settings.WECHAT_APP_ID = FakeWeChat.APP_ID
        settings.WECHAT_APP_SECRET = FakeWeChat.APP_SECRET
        settings.WECHAT_THUMB_MEDIA_ID = "THUMB_MEDIA_ID"
        settings.WECHAT_API_BASE = server.url
        fake.server = server
        yield fake


@pytest.fixture
def endpoint_server():
    answers = []

    def respond(request):
        return answers.pop(0) if answers else (200, {"ok": True})

    with Server(respond) as server:
        server.answers = answers
        yield server


@pytest.fixture
def endpoint(db, endpoint_server):
    return WebhookEndpoint.objects.create(
        name="CRM", url=endpoint_server.url + "/hooks/aidaily", secret="whsec-test"
    )
