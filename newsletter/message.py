"""The MIME message of a mailing, built once and personalised by substituting a token.

Django's EmailMultiAlternatives re-renders headers and parts for every recipient; a digest to
20,000 readers only needs the unsubscribe token and the Message-ID to change, so the headers
are encoded once and each recipient's copy is a few string replacements and a base64 pass.
"""

import base64
import secrets
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address

from events.rendering.email import UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url

CRLF = b"\r\n"


def from_domain() -> str:
    """The domain of DEFAULT_FROM_EMAIL, used for Message-IDs, List-Id and the mailto."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2].lower() or urlsplit(settings.SITE_URL).hostname


def list_id() -> str:
    """The List-Id namespace (RFC 2919)."""
    return settings.NEWSLETTER_LIST_ID or f"digest.{from_domain()}"


def unsubscribe_mailto() -> str:
    """The mailbox that mail clients write to when a reader unsubscribes by email."""
    return settings.NEWSLETTER_UNSUBSCRIBE_MAILTO or f"unsubscribe@{from_domain()}"


def _encode(value: str) -> str:
    """An RFC 2047 header value when it is not plain ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def _from_header() -> str:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name, address), charset="utf-8")


def _base64_part(text: str) -> bytes:
    return base64.encodebytes(text.encode("utf-8")).replace(b"\n", CRLF)


class MessageTemplate:
    """Headers and parts of one mailing; `build()` makes one recipient's bytes."""

    def __init__(self, *, subject: str, html: str, text: str, brand: str = "AI前沿发展日报"):
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

    @classmethod
    def for_mailing(cls, mailing) -> "MessageTemplate":
        """The template of a stored mailing (its rendering is never redone)."""
        return cls(subject=mailing.subject, html=mailing.html, text=mailing.text)

    def message_id(self, *parts) -> str:
        """A Message-ID unique to this delivery attempt."""
        return f"<{'.'.join(str(p) for p in parts)}.{secrets.token_hex(4)}@{self.domain}>"

    def build(self, *, to: str, token: str, message_id: str) -> bytes:
        """One recipient's message: the only per-recipient parts are To, the token and the ids."""
        url = unsubscribe_url(token)
        mailto = f"mailto:{self.mailto}?subject={quote('unsubscribe ' + token)}"
        head = (
            f"To: {sanitize_address(to, 'utf-8')}\r\n"
            f"Date: {formatdate(usegmt=True)}\r\n"
            f"Message-ID: {message_id}\r\n"
            f"List-Unsubscribe: <{url}>,\r\n <{mailto}>\r\n"
        ).encode("ascii")
        return b"".join(
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

    def email(self, *, to: str, token: str, message_id: str) -> "RawEmail":
        """The recipient's message, in the shape Django's mail backends send."""
        return RawEmail(self, to=to, raw=self.build(to=to, token=token, message_id=message_id))


class _RawMIME:
    """What Django's backends call on `EmailMessage.message()`: the bytes, already encoded."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, *args, **kwargs) -> bytes:
        return self.data

    def get_charset(self):
        return None


class RawEmail(EmailMessage):
    """An EmailMessage whose MIME bytes were built by MessageTemplate (works with any backend)."""

    def __init__(self, template: MessageTemplate, *, to: str, raw: bytes):
        super().__init__(subject=template.subject, body=template.text, to=[to])
        self.from_email = template.envelope_from
        self.raw = raw

    def message(self, *args, **kwargs):
        return _RawMIME(self.raw)
