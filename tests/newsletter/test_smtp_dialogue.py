"""The two-step SMTP dialogue against a real server: what arrives is exactly what was sent."""

import smtplib

import pytest

from newsletter import smtp


@pytest.fixture(params=[True, False], ids=["pipelined", "one-command-at-a-time"])
def smtp_server(request, smtp_server):
    """Every dialogue test against a server that announces PIPELINING and one that does not."""
    smtp_server.pipelining = request.param
    return smtp_server


def _connect(server) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", server.port, timeout=10)


@pytest.mark.parametrize(
    "body",
    [
        b"Subject: dots\r\n\r\n.hidden line\r\n..two dots\r\nlast\r\n",
        b".the very first line starts with a dot\r\nno other does\r\n",
    ],
    ids=["inside", "first-line"],
)
def test_lines_starting_with_a_dot_arrive_unchanged(body, smtp_server):
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


def test_refused_sender_delivers_nothing_and_the_line_carries_the_next_message(smtp_server):
    async def refuse_sender(server, session, envelope, address, mail_options):
        if address == "banned@example.org":
            return "553 Sender not allowed"
        envelope.mail_from = address
        return "250 OK"

    smtp_server.handle_MAIL = refuse_sender
    with _connect(smtp_server) as conn:
        with pytest.raises(smtplib.SMTPSenderRefused):
            smtp.begin(conn, "banned@example.org", "reader@example.org", b"Subject: a\r\n\r\nx\r\n")
        smtp.begin(conn, "desk@example.org", "reader@example.org", b"Subject: b\r\n\r\ny\r\n")
        smtp.finish(conn)

    assert [(sender, rcpts) for sender, rcpts, _data in smtp_server.messages] == [
        ("desk@example.org", ["reader@example.org"])
    ]


def test_a_server_closing_the_line_at_the_recipient_is_a_refusal_to_retry(smtp_server):
    smtp_server.refuse["busy@example.org"] = "421 Too busy, come back later"
    with _connect(smtp_server) as conn, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.begin(conn, "desk@example.org", "busy@example.org", b"Subject: a\r\n\r\nx\r\n")

    assert refused.value.recipients["busy@example.org"][0] == 421
    assert smtp_server.messages == []
