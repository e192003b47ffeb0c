"""From a fetch result to stored files: the WARC (every exchange, as received) and the text.

Files are named by the snapshot's id, so a task re-run after a crash overwrites its own
leftovers, and a row points at its files only once the capture has finished writing them.
"""

import hashlib
import os
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.core.files import File
from django.core.files.storage import FileSystemStorage

from . import warc
from .fetcher import Exchange, FetchResult, spool

SOFTWARE = "aidaily-archiver/0.2"
# A page's compressed WARC (about 10 KB for a 40 KB page) leaves in one write, not three.
WRITE_BUFFER = 64 * 1024


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
    """Write the WARC as the snapshot's warc_file (the row is not saved)."""
    filename = f"{snapshot.pk}.warc.gz"
    with _storage_file(snapshot, "warc_file", filename) as handle:
        write_warc(result, handle, filename=filename)


def save_text(snapshot, text: str) -> None:
    """Store the extracted text (UTF-8) as the snapshot's text_file."""
    with _storage_file(snapshot, "text_file", f"{snapshot.pk}.txt") as handle:
        handle.write(text.encode("utf-8"))


@contextmanager
def _storage_file(snapshot, field_name: str, filename: str):
    """A binary file to write one of the snapshot's files into; the field names it afterwards.

    The name is fixed by the snapshot's id, so an attempt that crashed half-way left at most
    a file this one replaces, and no row points at a file before its row is finished. On local
    storage the file is written where it belongs: going through Storage.save (existence checks,
    a copy out of a temporary file) cost as much CPU per page as fetching the page did. Other
    storages get a temporary file (in memory while small), saved when it is complete.
    """
    field = getattr(snapshot, field_name)
    name = field.field.generate_filename(snapshot, filename)
    storage = field.storage
    # Not "has path()": InMemoryStorage answers path() for files that are not on disk.
    if not isinstance(storage, FileSystemStorage):
        if storage.exists(name):
            storage.delete(name)
        with spool() as handle:
            yield handle
            handle.seek(0)
            field.save(filename, File(handle), save=False)
        return
    path = storage.path(name)
    try:
        handle = open(path, "wb", buffering=WRITE_BUFFER)  # noqa: SIM115 (closed below)
    except FileNotFoundError:  # the day's first capture: its directory does not exist yet
        _make_directory(os.path.dirname(path), storage.directory_permissions_mode)
        handle = open(path, "wb", buffering=WRITE_BUFFER)  # noqa: SIM115
    try:
        with handle:
            yield handle
    except BaseException:
        with suppress(OSError):  # a half-written file is nobody's
            os.remove(path)
        raise
    if storage.file_permissions_mode is not None:
        os.chmod(path, storage.file_permissions_mode)
    setattr(snapshot, field_name, name)


def _make_directory(directory: str, mode: int | None) -> None:
    """Create the directory (and its parents) with the storage's permissions, as
    FileSystemStorage does: the mode applies to every level it creates."""
    if mode is None:
        os.makedirs(directory, exist_ok=True)
        return
    old_umask = os.umask(0o777 & ~mode)
    try:
        os.makedirs(directory, mode, exist_ok=True)
    finally:
        os.umask(old_umask)


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
