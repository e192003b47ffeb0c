"""A response body streamed to a temporary file: capped in bytes received and decompressed, and
refused unless its first bytes are a page, a text or a PDF."""

import hashlib
import http.client
import tempfile
import zlib

from .exchange import Exchange, PermanentFetchError, Policy, TransientFetchError

CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024  # bodies above this go to a temporary file, not RAM
SUPPORTED_TYPES = {"text/html", "application/xhtml+xml", "text/plain", "application/pdf"}
SNIFFED_TYPES = {"", "application/octet-stream", "binary/octet-stream"}


def spool():
    """A temporary file that stays in memory while small; Exchange.close() closes it."""
    return tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY)


def decompressor_for(encoding: str):
    """A zlib decompressor for a Content-Encoding we decode, or None to keep the bytes as is."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS)
    return None


def looks_like_pdf(first: bytes) -> bool:
    """Whether a body starts, after any whitespace, with the PDF signature: how a PDF sent
    without its type is told apart (extraction dispatches on the same rule)."""
    return first[:1024].lstrip().lower().startswith(b"%pdf-")


def _sniff_supported(content_type: str, first: bytes, extra=frozenset()) -> str | None:
    """The type to treat the body as, or None when it is not a page, a text or a PDF."""
    if content_type in SUPPORTED_TYPES or content_type in extra:
        return content_type
    if content_type.startswith("text/"):
        return "text/plain"
    if content_type in SNIFFED_TYPES:
        if looks_like_pdf(first):
            return "application/pdf"
        head = first[:1024].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            return "text/html"
        if extra and head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf", b"{")):
            return "application/xml"  # a feed sent without its type
    return None


def read_body(response, exchange: Exchange, *, limit: int, policy: Policy):
    """Stream the body to a temporary file, counting raw and decompressed bytes against limit."""
    digest = hashlib.sha256()
    decompressor = decompressor_for(exchange.header("Content-Encoding"))
    if decompressor is not None:
        exchange.decoded = spool()
    first = True
    while (chunk := _read_chunk(response, exchange)) is not None:
        if first and exchange.status < 300:
            first = False
            _refuse_unsupported(exchange, chunk, policy)
        if exchange.size + len(chunk) > limit:
            chunk = chunk[: limit - exchange.size]
            exchange.truncated = "length"
        exchange.body.write(chunk)
        digest.update(chunk)
        exchange.size += len(chunk)
        if decompressor is not None and not _decompress(decompressor, chunk, exchange, limit):
            exchange.truncated = "length"  # a decompression bomb: stop at the cap
            break
        if exchange.truncated:
            break
    if first and exchange.status < 300:
        _refuse_unsupported(exchange, b"", policy)
    exchange.sha256 = digest.hexdigest()


def _read_chunk(response, exchange: Exchange) -> bytes | None:
    """The next chunk, or None at the end of the body (marked when it was cut short)."""
    try:
        # Each read waits at most what is left of the deadline (the socket is a DeadlineSocket).
        chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
    except TimeoutError:
        if exchange.size == 0:
            raise
        exchange.truncated = "time"  # the part received is kept, marked as cut short
        return None
    except (http.client.HTTPException, ConnectionError) as exc:
        if exchange.size == 0:
            raise TransientFetchError(
                f"connection lost while reading: {exc}", kind="protocol"
            ) from exc
        exchange.truncated = "disconnect"
        return None
    return chunk or None


def _refuse_unsupported(exchange: Exchange, first: bytes, policy: Policy) -> None:
    """Raise PermanentFetchError unless the body's first bytes are of a type we capture."""
    if _sniff_supported(exchange.content_type, first, policy.extra_types) is not None:
        return
    shown = exchange.content_type or "unknown"
    if not first:
        raise PermanentFetchError(
            f"unsupported content type {shown} (empty body)", kind="unsupported"
        )
    raise PermanentFetchError(
        f"unsupported content type {shown}: only web pages, text and PDF are captured",
        kind="unsupported",
        http_status=exchange.status,
    )


def _decompress(decompressor, chunk: bytes, exchange: Exchange, limit: int) -> bool:
    """Feed a chunk, never holding more than CHUNK decompressed bytes; False past the limit."""
    data = chunk
    try:
        while data:
            out = decompressor.decompress(data, CHUNK)
            if exchange.decoded_size + len(out) > limit:
                exchange.decoded.write(out[: limit - exchange.decoded_size])
                exchange.decoded_size = limit
                return False
            exchange.decoded.write(out)
            exchange.decoded_size += len(out)
            data = decompressor.unconsumed_tail
    except zlib.error:
        # A body that lies about its encoding keeps its raw bytes; extraction reads them as is.
        exchange.decoded.close()
        exchange.decoded = None
    return True
