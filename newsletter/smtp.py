"""Talking SMTP in two steps, so the database write overlaps the transfer of the message.

A server accepts a message only when DATA ends with "<CRLF>.<CRLF>". `begin()` sends MAIL, RCPT,
DATA and the body but not the final dot; `finish()` sends the dot and reads the answer. While
the body travels, the sender records "this one is being handed over"; if that record fails or
the worker dies before the dot, the server discards the message. `abort()` drops the line
mid-DATA, which the server must treat as no message.

`smtplib.SMTP.data()` cannot do this: it sends the body and the dot in one call. So the body is
dot-stuffed here, as RFC 5321 section 4.5.2 says, using only smtplib's public commands.
"""

import contextlib
import re
import smtplib
import socket

from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from .message import address

CRLF = b"\r\n"
LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def dot_stuffed(data: bytes) -> bytes:
    """The body as sent inside DATA: a line starting with "." gets a second one."""
    if not data.startswith(b".") and b"\n." not in data:
        return data  # the usual case (base64 has no "."): no pass of the regex over the body
    return LEADING_DOT.sub(b"..", data)


def _refuse(smtp: smtplib.SMTP, code: int) -> None:
    if code == 421:  # the server is closing the line
        smtp.close()
        return
    # Clear MAIL and RCPT so the line can carry the next message; if the line is already
    # gone, the next message reconnects.
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def begin(smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    """MAIL, RCPT, DATA and the body, without the final dot: nothing is accepted yet."""
    smtp.ehlo_or_helo_if_needed()
    if smtp.has_extn("pipelining"):
        _pipelined_envelope(smtp, sender, recipient)
    else:
        _check_mail(smtp, sender, smtp.mail(sender))
        _check_rcpt(smtp, recipient, smtp.rcpt(recipient))
        _check_data(smtp, smtp.docmd("data"))
    body = dot_stuffed(data)
    if not body.endswith(CRLF):
        body += CRLF
    smtp.send(body)


def _pipelined_envelope(smtp: smtplib.SMTP, sender: str, recipient: str) -> None:
    """MAIL, RCPT and DATA in one write, then their three replies (RFC 2920): one round trip
    to the server instead of three, for every message of a digest."""
    smtp.send(
        f"MAIL FROM:{smtplib.quoteaddr(sender)}\r\n"
        f"RCPT TO:{smtplib.quoteaddr(recipient)}\r\n"
        "DATA\r\n"
    )
    # A 421 means the server is closing the line: the replies after it never come.
    mail = smtp.getreply()
    rcpt = smtp.getreply() if mail[0] != 421 else None
    data = smtp.getreply() if rcpt and rcpt[0] != 421 else None
    if data and data[0] == 354 and (mail[0] != 250 or rcpt[0] not in (250, 251)):
        # The server should have refused DATA without a sender and a recipient; it is now
        # reading a message nobody addressed, so the line is dropped rather than finished.
        abort(smtp)
    _check_mail(smtp, sender, mail)
    _check_rcpt(smtp, recipient, rcpt)
    _check_data(smtp, data)


def _check_mail(smtp: smtplib.SMTP, sender: str, reply) -> None:
    code, text = reply
    if code != 250:
        _refuse(smtp, code)
        raise smtplib.SMTPSenderRefused(code, text, sender)


def _check_rcpt(smtp: smtplib.SMTP, recipient: str, reply) -> None:
    code, text = reply
    if code not in (250, 251):
        _refuse(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, text)})


def _check_data(smtp: smtplib.SMTP, reply) -> None:
    code, text = reply
    if code != 354:
        _refuse(smtp, code)
        raise smtplib.SMTPDataError(code, text)


def finish(smtp: smtplib.SMTP) -> None:
    """Send the final dot; returns once the server has accepted the message."""
    smtp.send(b"." + CRLF)
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def abort(smtp: smtplib.SMTP) -> None:
    """Drop the connection mid-DATA: the unfinished message is never delivered."""
    smtp.close()


class Transport:
    """Django's SMTP backend driven in two steps (begin, finish); other backends send at once."""

    def __init__(self, mail):
        self.mail = mail
        self.two_step = isinstance(mail, SmtpBackend)
        self.in_data = False  # a body was sent without its final dot

    def ready(self) -> None:
        """Reconnect when the last message left the line closed (a 421, or an abort)."""
        if not self.two_step:
            return
        smtp_conn = self.mail.connection
        if smtp_conn is None or smtp_conn.sock is None:
            self.mail.close()
            self.mail.open()
            smtp_conn = self.mail.connection
        if smtp_conn.sock is not None:
            # The final dot is a tiny write after the body: without this, Nagle's algorithm
            # holds it until the server's delayed ACK, a pause on every message.
            smtp_conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def begin(self, message) -> None:
        if self.two_step:
            begin(
                self.mail.connection,
                address(message.from_email),
                address(message.to[0]),
                message.raw,
            )
            self.in_data = True

    def finish(self, message) -> None:
        if self.two_step:
            self.in_data = False
            finish(self.mail.connection)
        else:
            self.mail.send_messages([message])

    def abort(self) -> None:
        """Drop the line so that an unfinished message is discarded by the server."""
        if self.two_step and self.mail.connection is not None:
            self.in_data = False
            abort(self.mail.connection)
