"""Which addresses the fetcher refuses to connect to, as an explicit table of ranges.

Python 3.11.7's `ipaddress.is_private`/`is_global` flags are wrong for some ranges
(CVE-2024-4032), so the decision never relies on them: every range is listed here with why.
IPv6 addresses that embed an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are
checked by the address they carry as well.
"""

import ipaddress
import re

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

REFUSED_V4 = [
    ("0.0.0.0/8", "this network / unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared address space (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local (cloud metadata)"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.31.196.0/24", "AS112"),
    ("192.52.193.0/24", "AMT"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private"),
    ("192.175.48.0/24", "AS112"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "broadcast"),
    # Public-looking addresses that answer as cloud metadata or platform services.
    ("168.63.129.16/32", "Azure platform service (metadata)"),
    ("100.100.100.200/32", "Alibaba Cloud metadata"),
]

REFUSED_V6 = [
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("100::/64", "discard-only"),
    ("2001::/23", "IETF protocol assignments"),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing"),
    ("fc00::/7", "unique local (private)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
    ("fd00:ec2::254/128", "AWS metadata over IPv6"),
]

_V4_TABLE = [(ipaddress.IPv4Network(net), why) for net, why in REFUSED_V4]
_V6_TABLE = [(ipaddress.IPv6Network(net), why) for net, why in REFUSED_V6]
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in _NAT64 or address in _V4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def refusal_reason(address: str | IPAddress) -> str | None:
    """Why the fetcher must not connect to this address, or None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    if isinstance(ip, ipaddress.IPv4Address):
        for network, why in _V4_TABLE:
            if ip in network:
                return f"{ip} is {why} ({network})"
        return None
    for network, why in _V6_TABLE:
        if ip in network:
            return f"{ip} is {why} ({network})"
    if ip in _NAT64_LOCAL:
        return f"{ip} is local-use NAT64 ({_NAT64_LOCAL})"
    inner = embedded_ipv4(ip)
    if inner is not None:
        reason = refusal_reason(inner)
        if reason:
            return f"{ip} carries {reason}"
    return None


_NUMBER = re.compile(r"^(0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$", re.IGNORECASE)


def _parse_ipv4_number(part: str) -> int | None:
    if not _NUMBER.match(part):
        return None
    if part.lower().startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part)


def parse_host_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address written the odd ways browsers and libc accept: 127.1, 0x7f.1, 0177.0.0.1.

    The WHATWG URL standard's IPv4 parser: one to four dot-separated numbers in decimal, octal
    (leading 0) or hex (0x), the last one filling the remaining bytes. Returns None when the
    host is a name, and raises ValueError when it looks like a number but is out of range.
    """
    parts = host.rstrip(".").split(".")
    if not parts or not _NUMBER.match(parts[-1]):
        return None
    numbers = [_parse_ipv4_number(part) for part in parts]
    if len(parts) > 4 or any(n is None for n in numbers):
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)
