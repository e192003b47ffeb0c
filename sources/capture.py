"""From a fetch result to stored files: the WARC (every exchange, as received) and the text.

The WARC is written to a temporary file first and only then saved to storage under a name
fixed by the snapshot's id, so a task re-run after a crash overwrites its own leftovers and a
half-written file never becomes a snapshot's.
"""

import hashlib
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.core.files import File
from django.core.files.base import ContentFile

from . import warc
from .fetcher import Exchange, FetchResult, spool

SOFTWARE = "aidaily-archiver/0.2"


def _exchange_fields(exchange: Exchange) -> list[tuple[str, str]]:
    fields = [
        ("WARC-Date", warc.warc_date(exchange.started_at)),
        ("WARC-Target-URI", exchange.url),
    ]
    if exchange.ip:
        fields.append(("WARC-IP-Address", exchange.ip))
    return fields


def _write_exchange(writer: warc.WarcWriter, exchange: Exchange) -> None:
    """The response record (the body as received), then the request record pointing at it."""
    fields = _exchange_fields(exchange)
    response_fields = list(fields)
    if exchange.truncated:
        response_fields.append(("WARC-Truncated", exchange.truncated))
    status_line = f"{exchange.protocol or 'HTTP/1.1'} {exchange.status} {exchange.reason}".strip()
    response_id = writer.write(
        "response",
        response_fields,
        head=warc.http_head(status_line, exchange.headers),
        payload=exchange.body,
        payload_digest=bytes.fromhex(exchange.sha256) if exchange.sha256 else None,
        content_type="application/http; msgtype=response",
    )
    writer.write(
        "request",
        [*fields, ("WARC-Concurrent-To", response_id)],
        head=exchange.request,
        content_type="application/http; msgtype=request",
    )


def write_warc(result: FetchResult, handle, *, filename: str) -> None:
    """Write a warcinfo record, then a response and a request record per exchange, gzipped."""
    writer = warc.WarcWriter(handle)
    info = f"software: {SOFTWARE}\r\nformat: WARC File Format 1.1\r\n".encode()
    writer.write(
        "warcinfo",
        [("WARC-Date", warc.warc_date(datetime.now(UTC))), ("WARC-Filename", filename)],
        head=info,
        content_type="application/warc-fields",
    )
    for exchange in result.exchanges:
        _write_exchange(writer, exchange)


def save_warc(snapshot, result: FetchResult) -> None:
    """Write the WARC to a temporary file (in memory while small), then into storage as the
    snapshot's warc_file."""
    filename = f"{snapshot.pk}.warc.gz"
    field = snapshot.warc_file
    _remove_leftover(field, snapshot, filename)
    with spool() as handle:
        write_warc(result, handle, filename=filename)
        handle.seek(0)
        field.save(filename, File(handle), save=False)


def save_text(snapshot, text: str) -> None:
    """Store the extracted text (UTF-8) as the snapshot's text_file."""
    filename = f"{snapshot.pk}.txt"
    field = snapshot.text_file
    _remove_leftover(field, snapshot, filename)
    field.save(filename, ContentFile(text.encode("utf-8")), save=False)


def _remove_leftover(field, snapshot, filename: str) -> None:
    name = field.field.generate_filename(snapshot, filename)
    if field.storage.exists(name):  # left by an attempt that crashed before it finished
        field.storage.delete(name)


def offline_result(url: str, body: bytes, *, content_type: str, http_status: int) -> FetchResult:
    """A fetch result for bytes we already hold (shipped demo files), with a plausible request."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: {SOFTWARE}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    handle = spool()  # closed with the result
    handle.write(body)

    exchange = Exchange(
        url=url,
        ip="",
        request=request,
        status=http_status,
        reason="OK" if http_status == 200 else "",
        protocol="HTTP/1.1",
        headers=[("Content-Type", content_type), ("Content-Length", str(len(body)))],
        body=handle,
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
    )
    return FetchResult([exchange])
