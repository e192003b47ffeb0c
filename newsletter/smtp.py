"""Talking SMTP in two steps, so the database write overlaps the transfer of the message.

A server accepts a message only when DATA ends with "<CRLF>.<CRLF>". `begin()` sends MAIL, RCPT,
DATA and the body but not the final dot; `finish()` sends the dot and reads the answer. While
the body travels, the sender records "this one is being handed over"; if that record fails or
the worker dies before the dot, the server discards the message. `abort()` drops the line
mid-DATA, which the server must treat as no message.
"""

import smtplib

CRLF = b"\r\n"


def _refuse(smtp: smtplib.SMTP, code: int) -> None:
    if code == 421:  # the server is closing the line
        smtp.close()
    else:
        smtp._rset()


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
    body = smtplib._quote_periods(data)
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
