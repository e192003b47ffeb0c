"""The fetcher refuses every URL that leads into our own network, before or after connecting."""

import socket

import pytest

from sources import addresses, fetcher

from .conftest import Reply

POLICY = fetcher.Policy(user_agent="aidaily-test", connect_timeout=1, read_timeout=1)


def public_resolver(answers):
    """A resolver whose answers for a name come from `answers` (a dict of name → list)."""
    calls = []

    def resolve(host, port, *args, **kwargs):
        calls.append(host)
        queue = answers[host]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    resolve.calls = calls
    return resolve


REFUSED = [
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.0.1/",
    "http://100.64.0.1/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://168.63.129.16/",
    "http://100.100.100.200/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:7f00:1::]/",
    "http://[fd00:ec2::254]/",
    "http://198.18.0.1/",
    "http://127.0.0.1.:8080/",
    "http://0x7f000001/",
    "http://intranet.example/",
    "http://mixed.example/",
    "file:///etc/passwd",
    "ftp://example.com/file",
    "gopher://example.com:70/",
    "javascript:alert(1)",
    "http:///no-host",
]


@pytest.mark.parametrize("url", REFUSED)
def test_urls_leading_inward_are_refused_before_any_connection(url, monkeypatch):
    connections = []
    monkeypatch.setattr(fetcher, "create_connection", lambda *a, **k: connections.append(a))
    monkeypatch.setattr(
        fetcher,
        "getaddrinfo",
        public_resolver(
            {
                "intranet.example": ["10.1.2.3"],
                # One public answer and one private: every address is checked.
                "mixed.example": ["93.184.216.34", "192.168.1.1"],
            }
        ),
    )
    if url == "http://mixed.example/":
        resolver = fetcher.getaddrinfo

        def both(host, port, *args, **kwargs):
            return resolver(host, port) + resolver(host, port)

        monkeypatch.setattr(fetcher, "getaddrinfo", both)

    with pytest.raises(fetcher.RefusedURL):
        fetcher.fetch(url, POLICY)
    assert connections == []


def test_a_name_whose_answer_changes_after_the_check_is_refused_at_the_socket(server, monkeypatch):
    """DNS rebinding: the check saw a public address, the connection ended up inside."""
    server.route("/", Reply(200, b"<html>internal admin</html>", {"Content-Type": "text/html"}))
    resolver = public_resolver({"rebind.example": ["93.184.216.34", "127.0.0.1"]})
    monkeypatch.setattr(fetcher, "getaddrinfo", resolver)
    real_connect = socket.create_connection
    # The network delivers us to wherever the name points now, not to the address we checked.
    monkeypatch.setattr(
        fetcher,
        "create_connection",
        lambda address, timeout=None: real_connect(("127.0.0.1", server.port), timeout),
    )

    with pytest.raises(fetcher.RefusedURL, match=r"connected peer refused: 127\.0\.0\.1"):
        fetcher.fetch(f"http://rebind.example:{server.port}/", POLICY)

    assert resolver.calls == ["rebind.example"]  # resolved once: no second lookup to rebind
    assert server.requests == []  # not a byte of the request was sent


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("example.com", None),
        ("1.example", None),
    ],
)
def test_odd_spellings_of_ipv4_are_read_as_browsers_read_them(host, expected):
    parsed = addresses.parse_host_ipv4(host)
    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize(
    "address",
    ["192.0.0.9", "192.0.0.170", "100.64.0.1", "::ffff:10.0.0.1", "2001:db8::1", "64:ff9b:1::1"],
)
def test_ranges_python_3_11_7_misjudges_are_refused_by_the_table(address):
    """CVE-2024-4032: the explicit table decides, not ipaddress.is_private/is_global."""
    assert addresses.refusal_reason(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::6810:85e5"])
def test_public_addresses_are_allowed(address):
    assert addresses.refusal_reason(address) is None
