"""The suite never asks the resolver for a name outside the machine (tests/dnsguard.py)."""

import contextlib
import io
import os
import socket
import subprocess
import sys

import pytest

from sources import fetcher

from ..dnsguard import OutsideLookup, subprocess_env
from .test_settings import BASE_DIR

SELF_TEST = os.environ.get("AIDAILY_DNS_GUARD_SELF_TEST") == "1"


@pytest.mark.skipif(not SELF_TEST, reason="run by the test below, in a pytest of its own")
def test_a_capture_that_swallows_the_lookup_error():
    """What a capture does with an unresolvable name: record the failure and carry on."""
    with contextlib.suppress(OSError):
        socket.getaddrinfo("openai.com", 443)


def test_an_outside_lookup_fails_the_test_even_when_the_error_is_swallowed():
    test = "tests/aidaily/test_no_outside_dns.py::test_a_capture_that_swallows_the_lookup_error"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"],
        cwd=BASE_DIR,
        env={**os.environ, "AIDAILY_DNS_GUARD_SELF_TEST": "1"},
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert result.returncode != 0, result.stdout
    assert "outside DNS lookups: openai.com" in result.stdout
    assert "fake the resolver" in result.stdout


SWALLOWING_SCRIPT = """
import socket
for host in ("localhost", "arxiv.org"):
    try:
        socket.getaddrinfo(host, 443)
    except OSError:
        pass
"""


def test_a_benchmark_the_suite_starts_fails_on_an_outside_lookup_too():
    result = subprocess.run(
        [sys.executable, "-c", SWALLOWING_SCRIPT],
        env=subprocess_env(dict(os.environ)),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 3
    assert "outside DNS lookups: arxiv.org" in result.stderr


def test_a_guarded_subprocess_that_stays_local_exits_normally():
    script = "import socket; socket.getaddrinfo('localhost', 80)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=subprocess_env(dict(os.environ)),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr


def test_an_outside_name_is_refused_at_once_with_what_to_do(no_outside_dns):
    for lookup in (socket.getaddrinfo, fetcher.getaddrinfo):
        with pytest.raises(OutsideLookup, match=r"'arxiv\.org' outside the machine"):
            lookup("arxiv.org", 443)
    with pytest.raises(OutsideLookup):
        socket.gethostbyname("openai.com")
    with pytest.raises(OutsideLookup):
        socket.gethostbyname_ex(b"news.example.com")
    assert no_outside_dns.lookups == ["arxiv.org", "arxiv.org", "openai.com", "b'news.example.com'"]
    no_outside_dns.lookups.clear()  # seen; this test is about the guard, so it passes


def test_local_names_and_address_literals_still_resolve():
    for host in ("localhost", "127.0.0.1", "::1", socket.gethostname(), "10.0.0.7"):
        assert socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM)
    assert socket.gethostbyname("localhost") == "127.0.0.1"


@pytest.mark.django_db
def test_the_demo_captures_from_its_shipped_files_and_resolves_no_outside_name(
    django_capture_on_commit_callbacks,
):
    """Run what the demo queues after commit, too: a capture of a real URL would trip the guard."""
    from django.core.management import call_command

    from sources.models import Snapshot

    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=io.StringIO())

    assert not Snapshot.objects.exclude(status=Snapshot.Status.SUCCEEDED).exists()
