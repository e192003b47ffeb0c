"""Reading captures back out of their WARC files."""

from warcio.archiveiterator import ArchiveIterator

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
