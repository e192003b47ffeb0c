"""DKIM signatures (RFC 6376, rsa-sha256, relaxed/simple) on outgoing mail, when a key is set.

Gmail and Yahoo accept bulk mail only when the From domain signs it and the signature covers
List-Unsubscribe and List-Unsubscribe-Post (RFC 8058), so a relay cannot add or alter them.
Signing happens on the final bytes, just before they are handed to a mail backend.

dkimpy does the DKIM part (parsing, canonicalization, the header hash, folding) exactly
as its own signer does; the RSA step is OpenSSL's (cryptography), because dkimpy's pure-Python
RSA is far slower and a digest is signed once per recipient.
"""

import base64
import functools
import hashlib
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from dkim import RE_BTAG, fold, hash_headers, rfc822_parse
from dkim.canonicalization import CanonicalizationPolicy

#: Signed when present, in this order.
SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"content-transfer-encoding",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"feedback-id",
)
#: Signed once more than present ("oversigned"): a second copy added in transit breaks the
#: signature instead of being shown to the reader or followed by the one-click unsubscribe.
OVERSIGNED = (b"from", b"subject", b"list-unsubscribe", b"list-unsubscribe-post")
#: Relaxed headers survive relays that re-fold them; the body is base64 lines no relay rewrites,
#: and "simple" hashes it as is, where "relaxed" would run two regular expressions over the
#: whole body per recipient (dkimpy's default, and what large senders such as Amazon SES use).
CANONICALIZATION = b"relaxed/simple"
POLICY = CanonicalizationPolicy.from_c_value(CANONICALIZATION)
NAME = b"DKIM-Signature"


def enabled() -> bool:
    """True when DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE are all set."""
    return bool(settings.DKIM_DOMAIN and settings.DKIM_SELECTOR and settings.DKIM_PRIVATE_KEY_FILE)


@functools.lru_cache(maxsize=4)
def _private_key(path: str) -> rsa.RSAPrivateKey:
    # Loaded once per process: a digest signs thousands of messages with the same key.
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"DKIM_PRIVATE_KEY_FILE cannot be used: {error}") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured("DKIM_PRIVATE_KEY_FILE must hold an RSA private key.")
    return key


def signed_headers(headers) -> list[bytes]:
    """The h= list for these headers: the SIGNED_HEADERS present, plus the oversigned ones."""
    present = {name.lower() for name, _value in headers}
    names = [name for name in SIGNED_HEADERS if name in present]
    return names + [name for name in OVERSIGNED if name in present]


def _joined(fields) -> bytes:
    return b"; ".join(b"=".join(field) for field in fields)


def signature_header(message: bytes, *, domain: str, selector: str, key) -> bytes:
    """The DKIM-Signature header line for a message (CRLF line ends, as sent)."""
    # Only the header block is split into lines; the body is hashed as one piece.
    end = message.find(b"\r\n\r\n")
    head, body = (message, b"") if end < 0 else (message[: end + 2], message[end + 4 :])
    headers, _ = rfc822_parse(head + b"\r\n")
    names = signed_headers(headers)
    body_hash = base64.b64encode(hashlib.sha256(POLICY.canonicalize_body(body)).digest())
    fields = [
        (b"v", b"1"),
        (b"a", b"rsa-sha256"),
        (b"c", CANONICALIZATION),
        (b"d", domain.encode("ascii")),
        (b"s", selector.encode("ascii")),
        (b"t", str(int(time.time())).encode("ascii")),
        (b"h", b" : ".join(names)),
        (b"bh", body_hash),
        (b"b", b"0" * 60),  # folded onto its own line, as dkimpy does, then left out of the hash
    ]
    unsigned = RE_BTAG.sub(b"\\1", fold(_joined(fields), namelen=len(NAME)))
    hasher = hashlib.sha256()
    canonical = POLICY.canonicalize_headers(headers)
    hash_headers(hasher, POLICY, canonical, names, (NAME, b" " + unsigned), dict(fields))
    signature = key.sign(hasher.digest(), padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    fields[-1] = (b"b", base64.b64encode(signature))
    return NAME + b": " + fold(_joined(fields) + b"\r\n", namelen=len(NAME))


def sign(message: bytes) -> bytes:
    """The message with a DKIM-Signature header in front, or unchanged when DKIM is off."""
    if not enabled():
        return message
    key = _private_key(settings.DKIM_PRIVATE_KEY_FILE)
    header = signature_header(
        message, domain=settings.DKIM_DOMAIN, selector=settings.DKIM_SELECTOR, key=key
    )
    return header + message
