"""A small WARC 1.1 writer (ISO 28500:2017): one gzip member per record, each digest computed once.

warcio reads these files (the tests check them, digests included, with its ArchiveIterator and
with `warcio check`); it does not write them because its writer buffers and hashes every payload
several times, which cost more per page than fetching the page did. Headers are written as the
server sent them (http.client decodes header bytes as latin-1, so encoding them back as latin-1
gives the original bytes).
"""

import base64
import hashlib
import uuid
from datetime import UTC, datetime

# ISA-L's deflate, not the standard library's: every record is its own gzip member (three a
# page, two more per redirect), and zlib sets up a large state for each one, which dominates
# the cost of small records; ISA-L's level 1 compresses news pages as well as zlib's fastest
# level at a fraction of its CPU. The output is plain gzip: any reader decompresses it.
from isal import isal_zlib

CHUNK = 64 * 1024
GZIP_LEVEL = 1  # ISA-L's levels run 0-3
EMPTY_SHA256 = hashlib.sha256(b"").digest()


def warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def labelled_digest(digest: bytes) -> str:
    """A digest as WARC headers carry it: algorithm, colon, base32."""
    return "sha256:" + base64.b32encode(digest).decode("ascii")


EMPTY_PAYLOAD_DIGEST = labelled_digest(EMPTY_SHA256)  # base32 is pure Python: compute it once


def _payload_label(digest: bytes | None) -> str:
    """The payload digest's label; a request's empty payload gets the one computed once."""
    return labelled_digest(digest) if digest else EMPTY_PAYLOAD_DIGEST


def record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def http_head(status_line: str, headers: list[tuple[str, str]]) -> bytes:
    """An HTTP message head: status or request line, header lines, blank line."""
    lines = [status_line, *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")


def _chunks(payload):
    """The payload file's bytes in chunks, from its start (none without a payload)."""
    if payload is None:
        return
    payload.seek(0)
    while chunk := payload.read(CHUNK):
        yield chunk


class WarcWriter:
    """Writes records to a binary file, each as its own gzip member (a .warc.gz file)."""

    def __init__(self, out):
        self.out = out

    def write(
        self,
        rec_type: str,
        fields: list[tuple[str, str]],
        *,
        head: bytes,
        payload=None,
        payload_digest: bytes | None = None,
        content_type: str,
    ) -> str:
        """Write one record whose block is `head` followed by the payload file (if any).

        `payload_digest` is the payload's sha256 when the caller already computed it (the
        fetcher hashes the body as it arrives); the block digest covers head and payload.
        """
        rec_id = record_id()
        block = hashlib.sha256(head)
        length = len(head)
        hashing = hashlib.sha256() if payload is not None and payload_digest is None else None
        for chunk in _chunks(payload):
            block.update(chunk)
            length += len(chunk)
            if hashing is not None:
                hashing.update(chunk)
        if hashing is not None:
            payload_digest = hashing.digest()
        lines = [
            "WARC/1.1",
            f"WARC-Type: {rec_type}",
            f"WARC-Record-ID: {rec_id}",
            *(f"{name}: {value}" for name, value in fields),
        ]
        if rec_type != "warcinfo":
            lines.append(f"WARC-Payload-Digest: {_payload_label(payload_digest)}")
        lines += [
            f"WARC-Block-Digest: {labelled_digest(block.digest())}",
            f"Content-Type: {content_type}",
            f"Content-Length: {length}",
        ]
        member = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS | 16)
        write = self.out.write
        write(member.compress(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")))
        write(member.compress(head))
        for chunk in _chunks(payload):
            write(member.compress(chunk))
        write(member.compress(b"\r\n\r\n"))
        write(member.flush())
        return rec_id
