"""Reading captures back out of their WARC files.

A response record holds the body as the server sent it, compressed when it came compressed, so
the few kilobytes of a gzip bomb are all that is stored. Reading it back decodes it here, a chunk
at a time and never past the caller's limit (warcio's own decoding unpacks each 16 KB block
whole, 16 MB for a bomb, and has no limit).
"""

import io
import zlib

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader

from .body import decompressor_for, spool
from .capture import Revisited
from .extraction import is_pdf

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


class _Joined(io.RawIOBase):
    """Binary files read one after the other (whole gzip members each: still one WARC)."""

    def __init__(self, parts):
        self._parts, self._index = parts, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._index < len(self._parts):
            read = self._parts[self._index].readinto(buffer)
            if read:
                return read
            self._index += 1
        return 0

    def close(self) -> None:
        for part in self._parts:
            part.close()
        super().close()


def _own_records(snapshot):
    handle = snapshot.warc_file.storage.open(snapshot.warc_file.name, "rb")
    if snapshot.warc_offset is None:
        return handle
    handle.seek(snapshot.warc_offset)
    return io.BufferedReader(_Part(handle, snapshot.warc_length))


def has_own_revisit(snapshot) -> bool:
    """Whether an unchanged capture wrote its own revisit records (those stored before
    revisits were written point at the earlier capture's records themselves)."""
    original = snapshot.duplicate_of
    if original is None:
        return False
    return (snapshot.warc_file.name, snapshot.warc_offset) != (
        original.warc_file.name,
        original.warc_offset,
    )


def open_capture(snapshot):
    """The capture's WARC records as a binary file, for any WARC reader or a download (the
    caller closes it): its part of the file its batch shares, or the whole file when the
    capture has one of its own (captures stored before batches shared files). An unchanged
    capture's revisit records come after the earlier capture's records they refer to, so the
    page can be read (and replayed) from them alone."""
    if not has_own_revisit(snapshot):
        return _own_records(snapshot)
    parts = [_own_records(snapshot.duplicate_of)]
    try:
        parts.append(_own_records(snapshot))
    except BaseException:
        parts[0].close()
        raise
    return io.BufferedReader(_Joined(parts))


def capture_length(snapshot) -> int | None:
    """The bytes `open_capture` gives, when known without reading them."""
    parts = [snapshot.duplicate_of, snapshot] if has_own_revisit(snapshot) else [snapshot]
    lengths = [part.warc_length for part in parts]
    return None if None in lengths else sum(lengths)


def revisited(snapshot) -> Revisited | None:
    """The final response record of the capture, as a revisit record refers to it; None when
    its records cannot be read or hold no response."""
    try:
        with _own_records(snapshot) as handle:
            record = final_response(handle)
            if record is None:
                return None
            headers = record.rec_headers
            return Revisited(
                record_id=headers.get_header("WARC-Record-ID"),
                date=headers.get_header("WARC-Date"),
                target_uri=headers.get_header("WARC-Target-URI"),
            )
    except (OSError, ValueError):
        return None


def iter_page_body(snapshot, *, limit: int):
    """Yield the final response's body, decompressed, in chunks: at most `limit` bytes in all,
    however far the stored bytes would unpack. Closes the file after."""
    with open_capture(snapshot) as handle:
        record = final_response(handle)
        if record is None:
            return
        stream = record.raw_stream
        headers = record.http_headers
        # Our captures store bodies de-chunked; a WARC written by another tool may not.
        if headers and headers.get_header("Transfer-Encoding", "").lower() == "chunked":
            stream = ChunkedDataReader(stream)
        encoding = headers.get_header("Content-Encoding", "") if headers else ""
        yield from _decoded(stream, decompressor_for(encoding), limit)


def _decoded(stream, decompressor, limit: int):
    """The stream's bytes through the decompressor (None: as they are), stopping at `limit`."""
    left = limit
    while left > 0 and (data := stream.read(CHUNK)):
        if decompressor is None:
            out = data[:left]
            left -= len(out)
            yield out
            continue
        raw = data
        try:
            while data and left > 0:
                out = decompressor.decompress(data, min(CHUNK, left))
                data = decompressor.unconsumed_tail
                left -= len(out)
                yield out
        except zlib.error:
            if left < limit:
                return  # corrupt after a good start: what was decoded is all there is
            # A body that lies about its encoding: its bytes as stored, as extraction read them.
            decompressor = None
            out = raw[:left]
            left -= len(out)
            yield out


def page_body(snapshot, *, limit: int, pdf_limit: int):
    """The final response's body, decompressed, as a rewound temporary file: at most `limit`
    bytes of a page (all extraction reads), or `pdf_limit` of a PDF, which is needed whole.

    The caller closes it. Reading back what the WARC holds, rather than a copy kept on the side,
    is what lets a page be decoded again later with better rules.
    """
    body = spool()
    for number, chunk in enumerate(iter_page_body(snapshot, limit=max(limit, pdf_limit))):
        if number == 0 and is_pdf(snapshot.content_type, chunk):
            limit = pdf_limit
        room = limit - body.tell()
        body.write(chunk[:room])
        if room <= len(chunk):
            break
    body.seek(0)
    return body
