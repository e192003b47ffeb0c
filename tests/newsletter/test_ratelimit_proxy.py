"""Behind trusted proxies the subscribe limit counts each visitor, not the proxy."""

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from aidaily import clientaddress
from newsletter.checks import check_shared_cache, check_trusted_proxies

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/subscribe/"
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    from django.core.cache import cache

    cache.clear()


def via_proxy(client, email, forwarded_for):
    return client.post(
        SUBSCRIBE, {"email": email}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for
    )


def test_one_visitor_behind_the_proxy_no_longer_blocks_everyone(client, settings):
    settings.AIDAILY_TRUSTED_PROXY_COUNT = 1
    settings.NEWSLETTER_SUBSCRIBE_LIMIT = 2
    for n in range(2):
        assert via_proxy(client, f"a{n}@example.com", "203.0.113.7").status_code == 200

    blocked = via_proxy(client, "a9@example.com", "203.0.113.7")
    someone_else = via_proxy(client, "b@example.com", "198.51.100.4")

    assert blocked.status_code == 429
    assert someone_else.status_code == 200


def test_a_forged_forwarded_for_does_not_escape_the_limit(client, settings):
    """The client's own X-Forwarded-For entries come first; the proxy appends the real address."""
    settings.AIDAILY_TRUSTED_PROXY_COUNT = 1
    settings.NEWSLETTER_SUBSCRIBE_LIMIT = 2
    answers = [
        via_proxy(client, f"f{n}@example.com", f"192.0.2.{n}, 203.0.113.7") for n in range(3)
    ]

    assert [a.status_code for a in answers] == [200, 200, 429]


@pytest.mark.parametrize(
    ("count", "forwarded_for", "remote", "expected"),
    [
        (0, "198.51.100.4", PROXY, PROXY),  # no trusted proxy: the header is the client's word
        (1, "192.0.2.1, 198.51.100.4", PROXY, "198.51.100.4"),
        (2, "192.0.2.1, 198.51.100.4, 10.0.0.2", PROXY, "198.51.100.4"),
        (2, "198.51.100.4", PROXY, PROXY),  # fewer hops than promised: not through the proxies
        (1, "", PROXY, PROXY),  # reached the app directly
        (1, "not-an-address", PROXY, PROXY),
        (1, "2001:db8::1", PROXY, "2001:db8::1"),
    ],
)
def test_client_address_is_the_nth_from_the_right(settings, count, forwarded_for, remote, expected):
    settings.AIDAILY_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().post(
        SUBSCRIBE, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for
    )

    assert clientaddress.client_address(request) == expected


def test_deploy_check_warns_when_each_process_counts_alone(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    (warning,) = check_shared_cache(app_configs=None)

    assert warning.id == "newsletter.W001"
    assert "CACHE_URL" in warning.hint


def test_deploy_check_is_quiet_with_a_shared_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}

    assert check_shared_cache(app_configs=None) == []


def test_deploy_check_command_reports_the_per_process_cache(settings, capsys):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    call_command("check", "--deploy", "--tag", "caches")

    assert "newsletter.W001" in capsys.readouterr().err


def test_deploy_check_warns_behind_an_https_proxy_with_no_trusted_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.AIDAILY_TRUSTED_PROXY_COUNT = 0

    (warning,) = check_trusted_proxies(app_configs=None)

    assert warning.id == "newsletter.W002"
    settings.AIDAILY_TRUSTED_PROXY_COUNT = 1
    assert check_trusted_proxies(app_configs=None) == []
