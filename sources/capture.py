"""From a fetch result to stored files: the WARC (every exchange, as received) and the text.

The WARC is written with warcio to a temporary file first and only then saved to storage under
a name fixed by the snapshot's id, so a task re-run after a crash overwrites its own leftovers
and a half-written file never becomes a snapshot's.
"""

import hashlib
import io
import tempfile
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.core.files import File
from django.core.files.base import ContentFile
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .fetcher import Exchange, FetchResult, spool

SOFTWARE = "aidaily-archiver/0.1 (warcio)"


def _warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _request_record(writer: WARCWriter, exchange: Exchange):
    payload = io.BytesIO(exchange.request)
    headers = {"WARC-Date": _warc_date(exchange.started_at)}
    if exchange.ip:
        headers["WARC-IP-Address"] = exchange.ip
    return writer.create_warc_record(
        exchange.url,
        "request",
        payload=payload,
        length=len(exchange.request),
        warc_headers_dict=headers,
    )


def _response_record(writer: WARCWriter, exchange: Exchange):
    http_headers = StatusAndHeaders(
        f"{exchange.status} {exchange.reason}".strip(),
        list(exchange.headers),
        protocol=exchange.protocol,
    )
    headers = {"WARC-Date": _warc_date(exchange.started_at)}
    if exchange.ip:
        headers["WARC-IP-Address"] = exchange.ip
    if exchange.truncated:
        headers["WARC-Truncated"] = exchange.truncated
    exchange.body.seek(0)
    return writer.create_warc_record(
        exchange.url,
        "response",
        payload=exchange.body,
        length=exchange.size,
        http_headers=http_headers,
        warc_headers_dict=headers,
    )


def write_warc(result: FetchResult, handle, *, filename: str) -> None:
    """Write a warcinfo record, then a response and a request record per exchange, gzipped."""
    writer = WARCWriter(handle, gzip=True, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            filename, {"software": SOFTWARE, "format": "WARC File Format 1.1"}
        )
    )
    for exchange in result.exchanges:
        writer.write_request_response_pair(
            _request_record(writer, exchange), _response_record(writer, exchange)
        )


def save_warc(snapshot, result: FetchResult) -> None:
    """Write the WARC to a temporary file, then into storage as the snapshot's warc_file."""
    filename = f"{snapshot.pk}.warc.gz"
    field = snapshot.warc_file
    _remove_leftover(field, snapshot, filename)
    with tempfile.TemporaryFile() as handle:
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
