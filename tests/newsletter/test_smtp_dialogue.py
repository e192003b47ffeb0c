"""The two-step SMTP dialogue against a real server: what arrives is exactly what was sent."""

import smtplib

import pytest

from newsletter import smtp


def _connect(server) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", server.port, timeout=10)


def test_lines_starting_with_a_dot_arrive_unchanged(smtp_server):
    body = b"Subject: dots\r\n\r\n.hidden line\r\n..two dots\r\nlast\r\n"
    with _connect(smtp_server) as conn:
        smtp.begin(conn, "desk@example.org", "reader@example.org", body)
        smtp.finish(conn)

    assert smtp_server.messages[0][2].replace(b"\r\n", b"\n") == body.replace(b"\r\n", b"\n")


def test_refused_recipient_leaves_the_line_ready_for_the_next_message(smtp_server):
    smtp_server.refuse["gone@example.org"] = "550 No such user"
    with _connect(smtp_server) as conn:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.begin(conn, "desk@example.org", "gone@example.org", b"Subject: a\r\n\r\nx\r\n")
        smtp.begin(conn, "desk@example.org", "reader@example.org", b"Subject: b\r\n\r\ny\r\n")
        smtp.finish(conn)

    assert smtp_server.recipients == ["reader@example.org"]


def test_aborted_message_is_never_delivered(smtp_server):
    with _connect(smtp_server) as conn:
        smtp.begin(conn, "desk@example.org", "reader@example.org", b"Subject: c\r\n\r\nz\r\n")
        smtp.abort(conn)

    with _connect(smtp_server) as conn:
        conn.noop()
    assert smtp_server.messages == []
