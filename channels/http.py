"""POST a JSON body to an outside service under the fetcher's address rules.

The URL is checked and its host resolved by sources.fetcher (every address against the table in
sources.addresses), the socket is connected to a checked address itself and its peer checked
again, so neither a typed private URL nor DNS rebinding reaches our own network. Redirects are
never followed. What went wrong is told apart by whether the request could have arrived:
`NotSent` (nothing left this machine: safe to try again) or `NoAnswer` (the request was written
and no answer came: the other side may have acted on it).
"""

import http.client
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from sources import addresses, fetcher

MAX_RESPONSE_BYTES = 1024 * 1024


class SendError(Exception):
    """A request that did not get a usable answer."""


class Refused(SendError):
    """The URL may never be reached (private address, bad scheme): no retry will help."""


class NotSent(SendError):
    """The request never left: connecting failed. Safe to try again."""


class NoAnswer(SendError):
    """The request was written but no answer came: it may have been acted on."""


@dataclass
class Response:
    status: int
    body: bytes

    def json(self) -> dict:
        try:
            value = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}


def allow_private() -> bool:
    return settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES


def check(url: str, *, lookup: bool = True) -> None:
    """Raise Refused unless the URL is http(s) whose host resolves only to public addresses;
    without `lookup`, only an address written in the URL itself is checked (no DNS)."""
    try:
        _scheme, host, port = fetcher.check_url(url)
        if lookup or _is_literal(host):
            fetcher.resolve(host, port, allow_private=allow_private())
    except fetcher.RefusedURL as exc:
        raise Refused(exc.message) from exc
    except fetcher.FetchError as exc:
        raise NotSent(exc.message) from exc


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        try:
            return addresses.parse_host_ipv4(host) is not None
        except ValueError:
            return True  # a malformed number: resolve() refuses it


def _open(url: str, timeout: float) -> tuple[socket.socket, str, str]:
    try:
        scheme, host, port = fetcher.check_url(url)
        checked = fetcher.resolve(host, port, allow_private=allow_private())
    except fetcher.RefusedURL as exc:
        raise Refused(exc.message) from exc
    except fetcher.FetchError as exc:
        raise NotSent(exc.message) from exc
    errors = []
    for address in checked:
        try:
            sock = fetcher.create_connection((address, port), timeout=timeout)
            break
        except OSError as exc:
            errors.append(f"{address}: {exc}")
    else:
        raise NotSent("cannot connect: " + "; ".join(errors))
    try:
        fetcher.check_peer(sock, checked, allow_private=allow_private())
        if scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    except fetcher.RefusedURL as exc:
        sock.close()
        raise Refused(exc.message) from exc
    except (OSError, ssl.SSLError) as exc:
        sock.close()
        raise NotSent(f"TLS failed for {host}: {exc}") from exc
    return sock, host, port


def _target(url: str) -> str:
    """The request target: the path and query, as written on the request line."""
    try:
        parts = urlsplit(fetcher.on_the_wire(url))
    except fetcher.RefusedURL as exc:
        raise Refused(exc.message) from exc
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def post_json(url: str, body: bytes, *, headers: dict | None = None, timeout=None) -> Response:
    """POST `body` (JSON bytes) and return the status and body of the answer."""
    timeout = timeout or settings.CHANNELS_TIMEOUT
    target = _target(url)
    sock, host, port = _open(url, timeout)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    connection.sock = sock
    all_headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": settings.SNAPSHOT_USER_AGENT,
        **(headers or {}),
    }
    try:
        try:
            connection.request("POST", target, body=body, headers=all_headers)
        except OSError as exc:
            raise NoAnswer(f"{host}: connection lost while sending: {exc}") from exc
        try:
            response = connection.getresponse()
            data = response.read(MAX_RESPONSE_BYTES)
        except (OSError, http.client.HTTPException) as exc:
            raise NoAnswer(f"{host} did not answer: {exc}") from exc
        return Response(status=response.status, body=data)
    finally:
        connection.close()


def get_json(url: str, *, timeout=None) -> Response:
    """GET (for WeChat's access token, which changes nothing on the other side)."""
    timeout = timeout or settings.CHANNELS_TIMEOUT
    target = _target(url)
    sock, host, port = _open(url, timeout)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    connection.sock = sock
    headers = {"User-Agent": settings.SNAPSHOT_USER_AGENT}
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        return Response(status=response.status, body=response.read(MAX_RESPONSE_BYTES))
    except (OSError, http.client.HTTPException) as exc:
        raise NotSent(f"{host}: {exc}") from exc
    finally:
        connection.close()
