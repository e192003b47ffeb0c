"""Reading captures back out of their WARC files."""

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


def iter_page_body(field_file):
    """Yield the final response's body, decompressed, in chunks, closing the file after."""
    with field_file.open("rb") as handle:
        record = final_response(handle)
        if record is None:
            return
        body = record.content_stream()
        while chunk := body.read(CHUNK):
            yield chunk


def page_body(field_file, *, content_type: str, limit: int, pdf_limit: int):
    """The final response's body, decompressed, as a rewound temporary file: at most `limit`
    bytes of a page (all extraction reads), or `pdf_limit` of a PDF, which is needed whole.

    The caller closes it. Reading back what the WARC holds, rather than a copy kept on the side,
    is what lets a page be decoded again later with better rules.
    """
    body = spool()
    for number, chunk in enumerate(iter_page_body(field_file)):
        if number == 0 and is_pdf(content_type, chunk):
            limit = pdf_limit
        room = limit - body.tell()
        body.write(chunk[:room])
        if room <= len(chunk):
            break
    body.seek(0)
    return body
