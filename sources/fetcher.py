"""A fetcher for URLs typed by people: it refuses to be pointed at our own network.

Only http and https. The host is resolved once and every address checked against the explicit
table in `addresses`; the socket is connected to the checked address itself (no second lookup,
so DNS rebinding cannot slip in) and the peer address of the connected socket is checked again,
as Perma.cc's capture proxy does, which also covers every redirect hop. The request is written
by hand so the WARC keeps the exact bytes sent; the body is streamed to a temporary file with a
cap on both the bytes received and their decompressed size (see `body`), under connect and read
timeouts and one total deadline that every read and the TLS handshake are held to (see
`deadline`). What a fetch returns and raises is in `exchange`.
"""

import email.utils
import http.client
import ipaddress
import socket
import ssl
import time
from datetime import UTC, datetime
from urllib.parse import quote, urljoin, urlsplit

from . import addresses
from .body import read_body, spool
from .deadline import Clock, DeadlineSocket, tls_handshake
from .exchange import (
    Exchange,
    FetchError,
    FetchResult,
    PermanentFetchError,
    Policy,
    RefusedURL,
    TransientFetchError,
)
from .normalise import wire_url

# Module attributes, so tests can point a name elsewhere or play a network that misroutes us.
getaddrinfo = socket.getaddrinfo
create_connection = socket.create_connection

MAX_REDIRECTS = 5
REDIRECT_BODY_LIMIT = 64 * 1024
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


def on_the_wire(url: str) -> str:
    """The URL as requested and recorded: ASCII only (see `normalise.wire_url`); raises
    RefusedURL for a host no IDNA encoding exists for."""
    try:
        return wire_url(url)
    except ValueError as exc:
        raise RefusedURL(f"malformed URL: {exc}") from exc


def location(exchange: "Exchange") -> str:
    """The redirect's target as the server meant it: http.client reads header bytes as
    latin-1, and a Location sent as raw UTF-8 (as some servers do) is decoded back to it."""
    value = exchange.header("Location").strip()
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def check_url(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of a URL the fetcher may try; raises RefusedURL otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedURL(f"malformed URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedURL(f"only http and https URLs are fetched, not {scheme or 'no scheme'}:")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise RefusedURL("the URL has no host")
    return scheme, host, port or (443 if scheme == "https" else 80)


def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Every address of the host, each checked; raises RefusedURL if any is refused."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        try:
            literal = addresses.parse_host_ipv4(host)
        except ValueError as exc:
            raise RefusedURL(str(exc)) from exc
    if literal is not None:
        found = [str(literal)]
    else:
        try:
            infos = getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise TransientFetchError(f"cannot resolve {host}: {exc}", kind="dns") from exc
        found = list(dict.fromkeys(info[4][0] for info in infos))
    if not found:
        raise TransientFetchError(f"{host} has no address", kind="dns")
    if not allow_private:
        for address in found:
            reason = addresses.refusal_reason(address)
            if reason:
                raise RefusedURL(f"{host} resolves to a refused address: {reason}")
    return found


def _connect(addresses_: list[str], port: int, policy: Policy, deadline: float) -> socket.socket:
    errors = []
    for address in addresses_:
        timeout = max(0.01, min(policy.connect_timeout, deadline - time.monotonic()))
        try:
            return create_connection((address, port), timeout=timeout)
        except TimeoutError as exc:
            errors.append(f"{address}: connect timed out ({exc})")
        except OSError as exc:
            errors.append(f"{address}: {exc}")
    raise TransientFetchError("cannot connect: " + "; ".join(errors))


def check_peer(sock: socket.socket, expected: list[str], *, allow_private: bool) -> str:
    """The address the socket is really connected to, refused if it is not a checked one."""
    peer = sock.getpeername()[0]
    if allow_private:
        return peer
    reason = addresses.refusal_reason(peer)
    if reason:
        raise RefusedURL(f"connected peer refused: {reason}")
    if peer not in expected:
        raise RefusedURL(f"connected to {peer}, which was not the checked address")
    return peer


def _request_bytes(
    url: str, host: str, port: int, scheme: str, policy: Policy, headers: dict
) -> bytes:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # Spaces and non-ASCII would break the request line; existing %-escapes are kept.
    target = quote(target, safe="/?&=%:@!$'()*+,;~-._[]")
    host_header = host if host.isascii() else host.encode("idna").decode("ascii")
    if ":" in host_header:  # an IPv6 literal
        host_header = f"[{host_header}]"
    if port != (443 if scheme == "https" else 80):
        host_header += f":{port}"
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {host_header}",
        f"User-Agent: {policy.user_agent}",
        f"Accept: {policy.accept}",
        "Accept-Encoding: gzip, deflate",
        "Accept-Language: zh-CN,zh;q=0.9,en;q=0.8",
        "Connection: close",
    ]
    # Conditional-GET validators come from a server's own headers: no line breaks may pass.
    lines += [f"{k}: {v}" for k, v in headers.items() if "\r" not in v and "\n" not in v]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def retry_after_seconds(value: str) -> float | None:
    """Retry-After as seconds from now: either a number or an HTTP date."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _exchange(url: str, policy: Policy, deadline: float, *, limit: int, headers) -> Exchange:
    scheme, host, port = check_url(url)
    checked = resolve(host, port, allow_private=policy.allow_private)
    clock = Clock(deadline=deadline, total=policy.total_timeout, read_timeout=policy.read_timeout)
    sock = _connect(checked, port, policy, deadline)
    try:
        peer = check_peer(sock, checked, allow_private=policy.allow_private)
        if scheme == "https":
            try:
                sock = tls_handshake(sock, host, clock)
            except ssl.SSLError as exc:
                raise PermanentFetchError(f"TLS failed for {host}: {exc}", kind="tls") from exc
        request = _request_bytes(url, host, port, scheme, policy, headers)
        sock.settimeout(clock.wait())
        exchange = Exchange(
            url=url, ip=peer, request=request, status=0, reason="", protocol="", headers=[]
        )
        try:
            sock.sendall(request)
            response = http.client.HTTPResponse(DeadlineSocket(sock, clock), method="GET")
            response.begin()
        except TimeoutError as exc:
            raise TransientFetchError(
                f"{host} did not answer in time ({exc})", kind="timeout"
            ) from exc
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise TransientFetchError(
                f"{host} sent no valid HTTP response: {exc}", kind="protocol"
            ) from exc
        exchange.status = response.status
        exchange.reason = response.reason
        exchange.protocol = "HTTP/1.0" if response.version == 10 else "HTTP/1.1"
        # http.client removes the chunking; the WARC records the de-chunked body as received.
        exchange.headers = [
            (k, v) for k, v in response.msg.items() if k.lower() != "transfer-encoding"
        ]
        _check_status(exchange, host)
        exchange.body = spool()
        if exchange.status in REDIRECT_STATUSES:
            limit = REDIRECT_BODY_LIMIT  # a redirect's body is kept for the record, briefly
        try:
            read_body(response, exchange, limit=limit, policy=policy)
        except BaseException:
            exchange.close()
            raise
        return exchange
    finally:
        sock.close()


def _check_status(exchange: Exchange, host: str) -> None:
    status = exchange.status
    if status == 429 or status >= 500:
        raise TransientFetchError(
            f"{host} answered HTTP {status} {exchange.reason}",
            kind="server_error",
            http_status=status,
            retry_after=retry_after_seconds(exchange.header("Retry-After")),
        )
    if status in REDIRECT_STATUSES and exchange.header("Location"):
        return
    if status >= 400 or status < 200 or status >= 300:
        raise PermanentFetchError(
            f"{host} answered HTTP {status} {exchange.reason}",
            kind="client_error" if 400 <= status < 500 else "protocol",
            http_status=status,
        )


def fetch(url: str, policy: Policy, *, headers: dict | None = None) -> FetchResult:
    """GET the URL, following at most five checked redirects; the caller closes the result.

    `headers` adds request headers (If-None-Match, If-Modified-Since) to every hop.
    """
    deadline = time.monotonic() + policy.total_timeout
    exchanges: list[Exchange] = []
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                url = on_the_wire(url)
                try:
                    exchange = _exchange(
                        url, policy, deadline, limit=policy.max_bytes, headers=headers or {}
                    )
                except TimeoutError as exc:  # a handshake or a body that never came in time
                    raise TransientFetchError(f"no answer in time: {exc}", kind="timeout") from exc
                except OSError as exc:
                    raise TransientFetchError(f"network error: {exc}") from exc
            except FetchError as exc:
                exc.chain = [{"url": e.url, "status": e.status} for e in exchanges] + [{"url": url}]
                raise
            exchanges.append(exchange)
            if exchange.status not in REDIRECT_STATUSES:
                return FetchResult(exchanges)
            url = urljoin(url, location(exchange))
        raise PermanentFetchError(f"more than {MAX_REDIRECTS} redirects", kind="redirects")
    except BaseException:
        for exchange in exchanges:
            exchange.close()
        raise
