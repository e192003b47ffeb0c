"""The MIME message of a mailing, built once and personalised by substituting a token.

Django's EmailMultiAlternatives re-renders headers and parts for every recipient; a digest to
20,000 readers only needs the unsubscribe token and the Message-ID to change, so the headers
are encoded once and each recipient's copy is a few string replacements and a base64 pass
(and, when a DKIM key is configured, one signature over the final bytes: newsletter.dkim).
"""

import base64
import re
import secrets
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address

from events.rendering.email import UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url

from . import dkim

CRLF = b"\r\n"


def from_domain() -> str:
    """The domain of DEFAULT_FROM_EMAIL, used for Message-IDs, List-Id and the mailto."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2].lower() or urlsplit(settings.SITE_URL).hostname


def list_id() -> str:
    """The List-Id namespace (RFC 2919)."""
    return settings.NEWSLETTER_LIST_ID or f"digest.{from_domain()}"


def unsubscribe_mailto() -> str:
    """The mailbox offered for unsubscribing by email; empty (link only) unless configured.

    Nothing in aidaily reads mail: an address is offered only when the operator has a mailbox
    whose messages are processed, or the reader's "unsubscribe" would go nowhere.
    """
    return settings.NEWSLETTER_UNSUBSCRIBE_MAILTO


def date_header() -> str:
    """Now, in the RFC 5322 numeric form ("+0000"; "GMT" is obsolete syntax)."""
    return format_datetime(datetime.now(UTC))


def feedback_id(kind: str, campaign: str = "") -> str:
    """Gmail's Feedback-ID: complaint rates are reported per campaign, kind and sender."""
    return f"{campaign or kind}:{kind}:aidaily:{from_domain()}"


def _body_unsubscribe_url(text: str) -> str:
    """The unsubscribe link the body itself carries, so headers and body name one host."""
    found = re.search(rf"https?://[!-~]*?/{UNSUBSCRIBE_PLACEHOLDER}/", text)
    return found.group(0) if found else unsubscribe_url()


def _encode(value: str) -> str:
    """An RFC 2047 header value when it is not plain ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def _from_header() -> str:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name, address), charset="utf-8")


def _base64_part(text: str) -> bytes:
    """Base64 in lines of 76 characters, each ending in CRLF (RFC 2045 section 6.8).

    One encoding pass, then cut into lines: `base64.encodebytes` encodes 57 bytes at a time,
    a few hundred calls for a digest's HTML part, the largest cost of building a copy.
    """
    encoded = base64.b64encode(text.encode("utf-8"))
    lines = [encoded[start : start + 76] for start in range(0, len(encoded), 76)]
    return CRLF.join(lines) + CRLF if lines else b""


# An address of this shape is what sanitize_address would return unchanged: ASCII, no display
# name, no quoting, nothing to encode.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def address(value: str) -> str:
    """An address ready for a header or the envelope, as Django's sanitize_address makes it.

    Its parser costs about half a millisecond an address, paid three times a message of a
    digest; the plain addresses nearly every reader has skip it.
    """
    if PLAIN_ADDRESS.fullmatch(value):
        return value
    return sanitize_address(value, "utf-8")


class MessageTemplate:
    """Headers and parts of one mailing; `build()` makes one recipient's bytes."""

    def __init__(
        self,
        *,
        subject: str,
        html: str,
        text: str,
        brand: str = "AI前沿发展日报",
        kind: str = "digest",
        campaign: str = "",
    ):
        self.subject = subject
        self.html = html
        self.text = text
        self.from_email = settings.DEFAULT_FROM_EMAIL
        self.envelope_from = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        self.domain = from_domain()
        boundary = f"=_aidaily_{secrets.token_hex(12)}"
        self.head = (
            f"From: {_from_header()}\r\n"
            f"Subject: {_encode(subject)}\r\n"
            f"List-Id: {_encode(brand)} <{list_id()}>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            f"Feedback-ID: {feedback_id(kind, campaign)}\r\n"
            "MIME-Version: 1.0\r\n"
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
        ).encode("ascii")
        self.text_head = (
            f'\r\n--{boundary}\r\nContent-Type: text/plain; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode("ascii")
        self.html_head = (
            f'--{boundary}\r\nContent-Type: text/html; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode("ascii")
        self.tail = f"--{boundary}--\r\n".encode("ascii")
        self.mailto = unsubscribe_mailto()
        self.unsubscribe_url = _body_unsubscribe_url(text)

    @classmethod
    def for_mailing(cls, mailing) -> "MessageTemplate":
        """The template of a stored mailing (its rendering is never redone)."""
        return cls(
            subject=mailing.subject,
            html=mailing.html,
            text=mailing.text,
            kind=mailing.kind,
            campaign=f"mailing{mailing.pk}",
        )

    def message_id(self, *parts) -> str:
        """A Message-ID unique to this delivery attempt."""
        return f"<{'.'.join(str(p) for p in parts)}.{secrets.token_hex(4)}@{self.domain}>"

    def _list_unsubscribe(self, token: str) -> str:
        links = [f"<{self.unsubscribe_url.replace(UNSUBSCRIBE_PLACEHOLDER, token)}>"]
        if self.mailto:
            links.append(f"<mailto:{self.mailto}?subject={quote('unsubscribe ' + token)}>")
        return ",\r\n ".join(links)

    def build(self, *, to: str | None, token: str, message_id: str) -> bytes:
        """One recipient's signed message: only To, the token and the ids differ per recipient.

        Without `to` (a message file for an editor to open) it is addressed to nobody, in the
        group syntax mail clients show as "undisclosed recipients".
        """
        recipient = address(to) if to else "undisclosed-recipients:;"
        head = (
            f"To: {recipient}\r\n"
            f"Date: {date_header()}\r\n"
            f"Message-ID: {message_id}\r\n"
            f"List-Unsubscribe: {self._list_unsubscribe(token)}\r\n"
        ).encode("ascii")
        raw = b"".join(
            (
                self.head,
                head,
                self.text_head,
                _base64_part(self.text.replace(UNSUBSCRIBE_PLACEHOLDER, token)),
                self.html_head,
                _base64_part(self.html.replace(UNSUBSCRIBE_PLACEHOLDER, token)),
                self.tail,
            )
        )
        return dkim.sign(raw)

    def email(self, *, to: str, token: str, message_id: str) -> "RawEmail":
        """The recipient's message, in the shape Django's mail backends send."""
        raw = self.build(to=to, token=token, message_id=message_id)
        return RawEmail(
            subject=self.subject, body=self.text, from_email=self.envelope_from, to=to, raw=raw
        )


def plain_email(*, subject: str, body: str, to: str, kind: str) -> "RawEmail":
    """A one-off plain-text message (the confirmation), dated, identified and signed like a digest.

    Django would name the Message-ID after this machine's host name ("@localhost" in a
    container) and date it "-0000" (time zone unknown); both are set here instead.
    """
    email = EmailMessage(
        subject=subject,
        body=body,
        to=[to],
        headers={
            "Date": date_header(),
            "Message-ID": make_msgid(domain=from_domain()),
            "Feedback-ID": feedback_id(kind),
        },
    )
    raw = dkim.sign(email.message().as_bytes(linesep="\r\n"))
    envelope_from = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return RawEmail(subject=subject, body=body, from_email=envelope_from, to=to, raw=raw)


class _RawMIME:
    """What Django's backends call on `EmailMessage.message()`: the bytes, already encoded."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, *args, **kwargs) -> bytes:
        return self.data

    def get_charset(self):
        return None


class RawEmail(EmailMessage):
    """An EmailMessage whose MIME bytes are final (built and signed); works with any backend."""

    def __init__(self, *, subject: str, body: str, from_email: str, to: str, raw: bytes):
        super().__init__(subject=subject, body=body, from_email=from_email, to=[to])
        self.raw = raw

    def message(self, *args, **kwargs):
        return _RawMIME(self.raw)
