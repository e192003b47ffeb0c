"""Reading captures back out of their WARC files."""

import io

from warcio.archiveiterator import ArchiveIterator

from .extraction import is_pdf
from .fetcher import spool

CHUNK = 64 * 1024


def final_response(stream):
    """Advance the iterator to the last response record (after any redirects) and return it."""
    found = None
    for record in ArchiveIterator(stream):
        if record.rec_type == "response":
            found = record
            # The iterator must be read through before the next record; keep only the last one.
            if record.http_headers and record.http_headers.get_statuscode().startswith("3"):
                continue
            return record
    return found


class _Part(io.RawIOBase):
    """`length` bytes of a file from where it stands: one capture's part of a batch's WARC."""

    def __init__(self, handle, length: int):
        self._handle, self._left = handle, length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._left <= 0:
            return 0
        with memoryview(buffer) as view:
            data = self._handle.read(min(len(view), self._left))
            view[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._handle.close()
        super().close()


def open_capture(snapshot):
    """The capture's WARC records as a binary file, for any WARC reader or a download (the
    caller closes it): its part of the file its batch shares, or the whole file when the
    capture has one of its own (captures stored before batches shared files)."""
    handle = snapshot.warc_file.storage.open(snapshot.warc_file.name, "rb")
    if snapshot.warc_offset is None:
        return handle
    handle.seek(snapshot.warc_offset)
    return io.BufferedReader(_Part(handle, snapshot.warc_length))


def iter_page_body(snapshot):
    """Yield the final response's body, decompressed, in chunks, closing the file after."""
    with open_capture(snapshot) as handle:
        record = final_response(handle)
        if record is None:
            return
        body = record.content_stream()
        while chunk := body.read(CHUNK):
            yield chunk


def page_body(snapshot, *, limit: int, pdf_limit: int):
    """The final response's body, decompressed, as a rewound temporary file: at most `limit`
    bytes of a page (all extraction reads), or `pdf_limit` of a PDF, which is needed whole.

    The caller closes it. Reading back what the WARC holds, rather than a copy kept on the side,
    is what lets a page be decoded again later with better rules.
    """
    body = spool()
    for number, chunk in enumerate(iter_page_body(snapshot)):
        if number == 0 and is_pdf(snapshot.content_type, chunk):
            limit = pdf_limit
        room = limit - body.tell()
        body.write(chunk[:room])
        if room <= len(chunk):
            break
    body.seek(0)
    return body
