"""From a fetch result to stored files: the WARC (every exchange, as received) and the text.

A batch's captures share one WARC file (`WarcBatch`); the text is a file per snapshot, named
by its id. A row points at its files only once the capture has finished writing them.
"""

import hashlib
import os
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage

from . import warc
from .body import spool
from .exchange import Exchange, FetchResult
from .fetcher import on_the_wire

REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisions/identical-payload-digest"
# A text file (about 10 KB for a 40 KB page) leaves in one write.
WRITE_BUFFER = 64 * 1024


def _exchange_fields(exchange: Exchange) -> list[tuple[str, str]]:
    fields = [
        ("WARC-Date", warc.warc_date(exchange.started_at)),
        ("WARC-Target-URI", exchange.url),
    ]
    if exchange.ip:
        fields.append(("WARC-IP-Address", exchange.ip))
    return fields


@dataclass(frozen=True)
class Revisited:
    """The earlier response record a capture with the same payload refers to."""

    record_id: str
    date: str
    target_uri: str


def _write_exchange(
    writer: warc.WarcWriter, exchange: Exchange, revisit_of: Revisited | None = None
) -> None:
    """The response record (the body as received), then the request record pointing at it.

    With `revisit_of`, a revisit record stands for the response: the HTTP head as received
    this time, and the payload's digest in place of the payload the earlier record holds
    (WARC 1.1's identical-payload-digest profile), so this capture's time is on record.
    """
    fields = _exchange_fields(exchange)
    response_fields = list(fields)
    if exchange.truncated:
        response_fields.append(("WARC-Truncated", exchange.truncated))
    rec_type, payload = "response", exchange.body
    if revisit_of is not None:
        rec_type, payload = "revisit", None
        response_fields += [
            ("WARC-Profile", REVISIT_PROFILE),
            ("WARC-Refers-To", revisit_of.record_id),
            ("WARC-Refers-To-Target-URI", revisit_of.target_uri),
            ("WARC-Refers-To-Date", revisit_of.date),
        ]
    status_line = f"{exchange.protocol or 'HTTP/1.1'} {exchange.status} {exchange.reason}".strip()
    response_id = writer.write(
        rec_type,
        response_fields,
        head=warc.http_head(status_line, exchange.headers),
        payload=payload,
        payload_digest=bytes.fromhex(exchange.sha256) if exchange.sha256 else None,
        content_type="application/http; msgtype=response",
    )
    writer.write(
        "request",
        [*fields, ("WARC-Concurrent-To", response_id)],
        head=exchange.request,
        content_type="application/http; msgtype=request",
    )


def write_warcinfo(handle, *, filename: str) -> None:
    """The warcinfo record that opens a WARC file: who wrote it, in which format."""
    info = f"software: {settings.SNAPSHOT_SOFTWARE}\r\nformat: WARC File Format 1.1\r\n".encode()
    warc.WarcWriter(handle).write(
        "warcinfo",
        [("WARC-Date", warc.warc_date(datetime.now(UTC))), ("WARC-Filename", filename)],
        head=info,
        content_type="application/warc-fields",
    )


def write_records(result: FetchResult, handle, revisit_of: Revisited | None = None) -> None:
    """A response and a request record per exchange (redirects first), each gzipped; the
    final response as a revisit of `revisit_of` when given."""
    writer = warc.WarcWriter(handle)
    for exchange in result.exchanges[:-1]:
        _write_exchange(writer, exchange)
    _write_exchange(writer, result.final, revisit_of)


class WarcBatch:
    """The WARC file a batch of captures shares: a warcinfo record, then each capture's records
    appended as the batch goes. Each capture notes where its records start and how long they
    are (whole gzip members: a valid WARC of their own, served as the capture's download).

    A file per capture spent a large share of a capture's CPU on creating the file and its
    name, closing it and setting its mode; a file per batch pays that once. The file is named by its
    first capture and the claim's time, so two batches never write the same file; a batch
    killed half-way leaves a file that no row points at (its rows are captured again), never a
    row pointing at half a file. Nothing points at the file until `close` has finished it.
    """

    def __init__(self, *, claimed_at: datetime):
        self.claimed_at = claimed_at
        self.snapshots: list = []  # the captures whose records are in the file, in order
        self._file = None
        self._name = ""
        self._storage = None
        self._path = None  # on local storage, where the file is written in place

    def __enter__(self) -> "WarcBatch":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        """Leaving on an error drops the file: none of its captures will be finished. On
        success the caller closes it (a file that cannot be finished fails its captures)."""
        if exc_type is not None:
            self.discard()

    def add(self, snapshot, result: FetchResult, *, revisit_of: Revisited | None = None) -> None:
        """Append the capture's records; when that fails, the file is cut back to where it was."""
        with spool() as records:
            write_records(result, records, revisit_of)
            if self._file is None:
                self._open(snapshot)
            start = self._file.tell()
            try:
                _append(self._file, records)
            except BaseException:
                self._file.seek(start)
                self._file.truncate()
                raise
        snapshot.warc_offset, snapshot.warc_length = start, self._file.tell() - start
        self.snapshots.append(snapshot)

    def _open(self, first) -> None:
        field = first.warc_file
        filename = f"{first.pk}-{self.claimed_at:%H%M%S%f}.warc.gz"
        self._name = field.field.generate_filename(first, filename)
        self._storage = field.storage
        # Not "has path()": InMemoryStorage answers path() for files that are not on disk.
        if isinstance(self._storage, FileSystemStorage):
            # Raw (unbuffered): what `add` wrote is in the file, and a failed write can be cut.
            self._file, self._path = _create_in_place(self._storage, self._name, "xb", 0)
        else:
            self._file = spool()  # saved through the storage once complete
        try:
            with spool() as info:
                write_warcinfo(info, filename=os.path.basename(self._name))
                _append(self._file, info)
        except BaseException:
            self.discard()  # a file must open with its whole warcinfo record, or not be
            raise

    def close(self) -> None:
        """Finish the file and point every capture in it at it; a file with no capture in it is
        removed. Raises when the file could not be finished (no capture then points at it)."""
        if self._file is None:
            return
        if not self.snapshots:
            self.discard()
            return
        try:
            if self._path is None:  # a remote storage: saved whole, under the name it gives
                self._file.seek(0)
                self._name = self._storage.save(self._name, File(self._file))
            elif self._storage.file_permissions_mode is not None:
                os.chmod(self._path, self._storage.file_permissions_mode)
        except BaseException:
            self.discard()
            raise
        self._file.close()
        self._file = None
        for snapshot in self.snapshots:
            snapshot.warc_file = self._name

    def discard(self) -> None:
        """Drop the file: no row will point at it."""
        if self._file is None:
            return
        self._file.close()
        self._file = None
        if self._path is not None:
            with suppress(OSError):
                os.remove(self._path)
            self._path = None


def _append(out, source) -> None:
    """Copy a rewound temporary file to the end of `out`, every byte (a raw file may take part of
    a write, and says so)."""
    source.seek(0)
    while chunk := source.read(warc.CHUNK):
        view = memoryview(chunk)
        while view:
            view = view[out.write(view) :]


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
    handle, path = _create_in_place(storage, name, "wb", WRITE_BUFFER)
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


def _create_in_place(storage: FileSystemStorage, name: str, mode: str, buffering: int):
    """Open a file of local storage for writing where it belongs; returns it and its path.

    The directory is made only when the open says it is missing (the day's first file): a
    check before every open was a system call per capture for nothing.
    """
    path = storage.path(name)
    try:
        return open(path, mode, buffering=buffering), path  # the caller closes it
    except FileNotFoundError:
        _make_directory(os.path.dirname(path), storage.directory_permissions_mode)
        return open(path, mode, buffering=buffering), path


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
    url = on_the_wire(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"User-Agent: {settings.SNAPSHOT_USER_AGENT}\r\n"
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
