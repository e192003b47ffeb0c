"""A real SMTP server (aiosmtpd) on 127.0.0.1, for the tests that send mail."""

import email
import email.policy
import logging
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """Records every accepted message; can refuse recipients or call a hook on acceptance."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}
        self.drop_after_data: set[str] = set()  # received, then the line drops before "250"
        self.kill_at = None  # (n, kill): call kill() once n messages were received, before "250"
        self.lock = threading.Lock()
        # Announced as real servers (Postfix, Exim) do; the sender then pipelines MAIL, RCPT and
        # DATA. aiosmtpd reads the pipelined commands one by one, as RFC 2920 asks.
        self.pipelining = True

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if self.drop_after_data & set(envelope.rcpt_tos):
            server.transport.close()
        if self.kill_at and len(self.messages) == self.kill_at[0]:
            self.kill_at[1]()
        return "250 Message accepted for delivery"

    @property
    def recipients(self) -> list[str]:
        return [rcpt for _from, rcpts, _data in self.messages for rcpt in rcpts]

    def parsed(self):
        return [
            email.message_from_bytes(data, policy=email.policy.default)
            for *_, data in self.messages
        ]


@pytest.fixture
def smtp_server(settings):
    """Start an SMTP server for the test and point Django's SMTP backend at it."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.SITE_URL = "https://daily.example.org"
    sink.port = port
    try:
        yield sink
    finally:
        controller.stop()
