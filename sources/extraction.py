"""Readable text, title, date and language from a captured page or PDF, in the right characters.

The charset is decided in the order browsers use: byte-order mark, the HTTP charset, a `<meta>`
in the first 1,024 bytes, then detection. Labels go through the WHATWG encoding standard's
table, so every GB-family label (gb2312, gbk, x-gbk, …) decodes as gb18030, its superset, and
latin-1 labels as windows-1252. A declared charset the bytes do not fit is skipped, since pages
misstate their encoding as often as they omit it; the record says which step decided.
"""

import codecs
import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .body import looks_like_pdf

logger = logging.getLogger(__name__)

HTML_LIMIT = 2 * 1024 * 1024  # main-text extraction reads at most this much of a page
PDF_PAGE_LIMIT = 300

#: WHATWG encoding labels that Python spells differently or decodes too narrowly.
LABELS = {
    **dict.fromkeys(
        (
            "gb2312",
            "gbk",
            "x-gbk",
            "gb18030",
            "chinese",
            "csgb2312",
            "csiso58gb231280",
            "gb_2312",
            "gb_2312-80",
            "iso-ir-58",
            "cp936",
            "windows-936",
            "ms936",
            "euc-cn",
            "hz-gb-2312",
        ),
        "gb18030",
    ),
    **dict.fromkeys(
        ("iso-8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii", "iso8859-1", "cp819"),
        "windows-1252",
    ),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "x-x-big5", "csbig5"), "big5hkscs"),
    **dict.fromkeys(("shift_jis", "sjis", "ms_kanji", "x-sjis", "windows-31j"), "cp932"),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "windows-949"), "cp949"),
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}
BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
]
HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
HTML_LANG = re.compile(r"<html[^>]*\slang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)", re.I)


@dataclass
class Extracted:
    """What a capture yields beyond its bytes."""

    text: str = ""
    title: str = ""
    published: date | None = None
    language: str = ""
    charset: str = ""
    charset_source: str = ""

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(normalise_text(self.text).encode("utf-8")).hexdigest()


def normalise_text(text: str) -> str:
    """The form compared between captures: NFC, whitespace collapsed (layout is no change)."""
    text = unicodedata.normalize("NFC", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def codec_for(label: str) -> str | None:
    """The Python codec for an encoding label, per the WHATWG table; None when unknown."""
    label = label.strip().strip("\"'").lower()
    name = LABELS.get(label, label)
    if name in ("utf-16", "utf-16le", "utf-16be"):
        # WHATWG: a page that calls itself UTF-16 in ASCII-compatible bytes is really UTF-8.
        name = "utf-8"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return LABELS.get(codec, codec)


def _fits(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except UnicodeDecodeError as exc:
        # A page cut by the size cap may end in half a character: only earlier errors count.
        return exc.start >= len(body) - 4
    return True


def decide_charset(body: bytes, content_type: str = "") -> tuple[str, str]:
    """(codec, how it was chosen) for an HTML or text body."""
    for bom, codec in BOMS:
        if body.startswith(bom):
            return codec, "bom"
    skipped = []
    match = HTTP_CHARSET.search(content_type or "")
    if match:
        codec = codec_for(match.group(1))
        if codec and _fits(body, codec):
            return codec, "http"
        skipped.append("http")
    match = META_CHARSET.search(body[:1024])
    if match:
        codec = codec_for(match.group(1).decode("ascii", "replace"))
        if codec and _fits(body, codec):
            return codec, "meta"
        skipped.append("meta")
    return _detect(body, skipped)


def _detect(body: bytes, skipped: list[str]) -> tuple[str, str]:
    how = "detected" + (f" ({'/'.join(skipped)} wrong)" if skipped else "")
    if _fits(body, "utf-8"):
        return "utf-8", how
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    codec = codec_for(best.encoding) if best else None
    return codec or "windows-1252", how


def decode(body: bytes, content_type: str = "") -> tuple[str, str, str]:
    """(text, codec, how chosen): the body in the right characters."""
    codec, how = decide_charset(body, content_type)
    return body.decode(codec, errors="replace"), codec, how


def extract_html(body: bytes, content_type: str = "", url: str | None = None) -> Extracted:
    """Title, main text, date and language of a web page."""
    import trafilatura

    html, codec, how = decode(body[:HTML_LIMIT], content_type)
    result = Extracted(charset=codec, charset_source=how)
    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, favor_recall=True
        )
    except Exception:  # trafilatura raises assorted errors on hostile markup; keep the capture
        logger.exception("text extraction failed for %s", url)
        document = None
    if document is not None:
        result.text = document.text or ""
        result.title = (document.title or "")[:500]
        result.published = _parse_date(document.date)
        result.language = document.language or ""
    if not result.title:
        result.title = _html_title(html)
    if not result.language:
        match = HTML_LANG.search(html[:4096])
        result.language = match.group(1).lower() if match else ""
    return result


def _html_title(html: str) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title>", html[:65536], re.IGNORECASE | re.DOTALL)
    return " ".join(match.group(1).split())[:500] if match else ""


def _parse_date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def extract_pdf(handle) -> Extracted:
    """Text, title and date of a PDF, page by page."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    result = Extracted(charset="", charset_source="pdf")
    try:
        reader = PdfReader(handle)
        pages = []
        for page in reader.pages[:PDF_PAGE_LIMIT]:
            pages.append(page.extract_text() or "")
        result.text = "\n\n".join(pages).strip()
        meta = reader.metadata
        if meta:
            result.title = (meta.title or "")[:500]
            created = getattr(meta, "creation_date", None)
            result.published = created.date() if created else None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        logger.warning("PDF text extraction failed: %s", exc)
    return result


def extract_text_plain(body: bytes, content_type: str = "") -> Extracted:
    """A plain-text document: the decoded text itself."""
    text, codec, how = decode(body[:HTML_LIMIT], content_type)
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return Extracted(text=text, title=first_line[:200], charset=codec, charset_source=how)


def is_pdf(content_type: str, head: bytes) -> bool:
    """Whether a body is a PDF: by its type, or by its first bytes as the fetcher told it
    apart when it accepted the body."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/pdf" or looks_like_pdf(head)


def extract(handle, *, content_type: str, url: str | None = None) -> Extracted:
    """Dispatch on the (sniffed) content type; handle is a readable binary file."""
    kind = content_type.split(";", 1)[0].strip().lower()
    handle.seek(0)
    head = handle.read(1024)
    handle.seek(0)
    if is_pdf(content_type, head):
        return extract_pdf(io.BytesIO(handle.read()) if not handle.seekable() else handle)
    body = handle.read(HTML_LIMIT)
    if kind == "text/plain":
        return extract_text_plain(body, content_type)
    return extract_html(body, content_type, url)
