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

CRLF = b"\r\n"
LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def dot_stuffed(data: bytes) -> bytes:
    """The body as sent inside DATA: a line starting with "." gets a second one."""
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
    code, reply = smtp.mail(sender)
    if code != 250:
        _refuse(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        _refuse(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = smtp.docmd("data")
    if code != 354:
        _refuse(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    body = dot_stuffed(data)
    if not body.endswith(CRLF):
        body += CRLF
    smtp.send(body)


def finish(smtp: smtplib.SMTP) -> None:
    """Send the final dot; returns once the server has accepted the message."""
    smtp.send(b"." + CRLF)
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def abort(smtp: smtplib.SMTP) -> None:
    """Drop the connection mid-DATA: the unfinished message is never delivered."""
    smtp.close()
