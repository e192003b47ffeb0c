"""Entry text: canonical URLs, sanitised plain text, and SimHash fingerprints for near-duplicates.

SimHash runs over character trigrams of the text with punctuation and spaces removed, so it
needs no word segmenter and works the same on Chinese and English.
"""

import hashlib
import html
import operator
import re
import struct
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

from sources.normalise import is_tracking_parameter, normalise_url

#: Beyond the trackers sources already drops: parameters Chinese portals add to shared links.
EXTRA_TRACKING = frozenset({"from", "spm", "scm", "share_token", "share_medium", "wfr", "s_trans"})
SAFE_SCHEMES = ("http", "https")
# MinHash LSH: entries sharing all ROWS minima of any one of BANDS bands are candidates, then
# checked against NEAR_SIMILARITY. Long bands find copied headlines and hardly any unrelated ones;
# shorter bands would also find looser rewrites, but in a full dedup window every entry would
# then share a band with a great many unrelated headlines (figures: docs/operations.md).
BANDS = 6
ROWS = 5
NEAR_SIMILARITY = 0.6
WHITESPACE = re.compile(r"\s+")
#: What the sanitiser would change: a tag, an entity, a NUL, a byte-order mark. Text without
#: them (most feed titles) comes out of it unchanged, so it is not sent through.
NEEDS_CLEANING = re.compile("[<&\x00\ufeff]")


class UnsafeURL(ValueError):
    """An entry link that is not http(s): javascript:, data:, a relative path, no host."""


def canonical_url(url: str) -> str:
    """Scheme and host lowercased, default port and fragment dropped, trackers removed."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        raise UnsafeURL(f"link is not an http(s) URL: {url[:80]!r}")
    pairs = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in EXTRA_TRACKING and not is_tracking_parameter(k)
    ]
    query = urlencode(pairs, doseq=True)
    return normalise_url(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))


def plain_text(markup: str, *, limit: int = 2000) -> str:
    """Markup as plain text: tags and scripts removed, entities decoded, spaces collapsed."""
    text = markup or ""
    if NEEDS_CLEANING.search(text):
        cleaned = nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
        text = html.unescape(cleaned)
    return WHITESPACE.sub(" ", text).strip()[:limit]


def _shingles(text: str, size: int = 3):
    folded = unicodedata.normalize("NFKC", text).lower()
    letters = "".join(ch for ch in folded if ch.isalnum())
    if len(letters) <= size:
        return [letters] if letters else []
    return [letters[i : i + size] for i in range(len(letters) - size + 1)]


def signature(text: str) -> tuple[int, ...]:
    """One-permutation MinHash of the text's character trigrams.

    Each trigram's hash falls in one of BANDS x ROWS bins and each bin keeps its minimum: one
    hash per trigram instead of one per bin. Empty bins borrow the next filled bin's minimum,
    so short texts still compare fairly.
    """
    size = BANDS * ROWS
    bins = [None] * size
    for gram in set(_shingles(text)):
        value = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest())
        slot = value % size
        if bins[slot] is None or value < bins[slot]:
            bins[slot] = value
    if all(b is None for b in bins):
        return (0,) * size
    for slot in range(size):
        step = 1
        while bins[slot] is None:
            borrowed = bins[(slot + step) % size]
            if borrowed is not None:
                bins[slot] = (borrowed + step * 0x9E3779B97F4A7C15) & (1 << 64) - 1
            step += 1
    return tuple(bins)


def bands(sig: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
    """The signature's bands as (band number, its ROWS minima): what each band key stands for."""
    return [(band, sig[band * ROWS : (band + 1) * ROWS]) for band in range(BANDS)]


def band_keys(sig: tuple[int, ...]) -> list[int]:
    """One indexable key per band of ROWS minima; equal keys make two entries candidates."""
    keys = []
    for band in bands(sig):
        raw = hashlib.blake2b(repr(band).encode(), digest_size=8).digest()
        keys.append(int.from_bytes(raw) >> 1)  # 63 bits: fits a signed BIGINT
    return keys


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of two texts' trigram sets."""
    if len(a) != len(b):
        raise ValueError("signatures of different lengths")
    return sum(map(operator.eq, a, b)) / len(a)


def pack(sig: tuple[int, ...]) -> bytes:
    return struct.pack(f">{len(sig)}Q", *sig)


def unpack(data: bytes) -> tuple[int, ...]:
    return struct.unpack(f">{len(data) // 8}Q", bytes(data))


def fingerprint_text(title: str, summary: str) -> str:
    """The text that is compared: the title, which outlets copy far more faithfully than their
    ledes; a title too short to tell stories apart gets the opening of the summary too."""
    if sum(ch.isalnum() for ch in title) >= 12:
        return title
    return f"{title} {summary[:200]}"
