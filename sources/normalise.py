"""URL normalisation: the key by which sources are deduplicated.

Two citations of the same page must land on one Source even when they were typed differently:
scheme and host are lower-cased, the default port and the fragment are dropped, an empty path
becomes "/", and tracking parameters are removed. Credentials (``user:pw@``) are kept. The path
is kept as typed, since servers may treat it case-sensitively. The remaining query keeps its
parameters in order, case and duplicates included, but is decoded and encoded again in one form
(``%20`` and a space become ``+``, ``flag`` becomes ``flag=``), so two spellings of the same
query land on one Source.
"""

from contextlib import suppress
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_hsenc",
        "_hsmi",
        "ref_src",
        "ref_url",
        "spm",
        "share_source",
        "from_source",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_parameter(name: str) -> bool:
    """True for utm_* and the click identifiers that say nothing about the page itself."""
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMETERS


def normalise_url(url: str) -> str:
    """Return the canonical form of an http(s) URL, used as Source.url."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        credentials = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{credentials}@{netloc}"
    path = parts.path or "/"
    query_pairs = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_parameter(key)
    ]
    query = urlencode(query_pairs, doseq=True) if query_pairs else ""
    return urlunsplit((scheme, netloc, path, query, ""))


# What may stay as it is in a URI's path and query (RFC 3986's unreserved, sub-delims, ":" and
# "@", and "%" so that escapes already made are not escaped twice); everything else is
# percent-encoded as UTF-8, as browsers send it.
PATH_SAFE = "/%:@!$&'()*+,;=~-._"
QUERY_SAFE = PATH_SAFE + "?"


def ascii_host(host: str) -> str:
    """The host as DNS and the Host header carry it: IDNA (punycode) labels for a non-ASCII
    name. Raises ValueError when the name cannot be encoded (an empty or too long label)."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"host {host!r} is not a valid internationalised name") from exc


def wire_url(url: str) -> str:
    """The URL as it goes on the wire and into WARC-Target-URI (an RFC 3986 URI, all ASCII):
    the host in IDNA, the path and query percent-encoded, no fragment. Sources keep the
    readable form; this is only what is sent and recorded."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if not netloc.isascii():
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport, "", ""
        if not hostport.endswith("]") and ":" in hostport:
            host, colon, port = hostport.rpartition(":")
        netloc = f"{quote(userinfo, safe=PATH_SAFE)}{at}{ascii_host(host)}{colon}{port}"
    path = quote(parts.path, safe=PATH_SAFE)
    query = quote(parts.query, safe=QUERY_SAFE)
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def readable_url(url: str) -> str:
    """A URL for people to read: percent-escapes of UTF-8 text and IDNA labels shown as the
    characters they stand for (what a browser's address bar shows)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = parts.netloc
    if "xn--" in host:
        with suppress(UnicodeError):
            netloc = netloc.replace(host, host.encode("ascii").decode("idna"))
    path = unquote(parts.path, errors="strict") if _decodes(parts.path) else parts.path
    query = unquote(parts.query) if _decodes(parts.query) else parts.query
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def _decodes(text: str) -> bool:
    """Whether the percent-escapes in text are UTF-8 (others are shown escaped)."""
    try:
        unquote(text, errors="strict")
    except UnicodeDecodeError:
        return False
    return True
