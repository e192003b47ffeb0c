"""SMTP servers for the digest benchmark: Postfix's smtp-sink (C) when installed, else aiosmtpd.

Each is a context manager yielding (description, port, received) where received() is the count
of messages the server has accepted so far.
"""

import logging
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

SMTP_SINK = "/usr/sbin/smtp-sink"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _aiosmtpd_sink(port, ready, stop, count):
    """An SMTP server that accepts and counts every message (its own process: no shared GIL)."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


@contextmanager
def aiosmtpd_sink():
    port = free_port()
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    count = multiprocessing.Value("q", 0)
    process = multiprocessing.Process(
        target=_aiosmtpd_sink, args=(port, ready, stop, count), daemon=True
    )
    process.start()
    ready.wait(30)
    try:
        yield "aiosmtpd (Python, its own process)", port, lambda: count.value
    finally:
        stop.set()
        process.join(10)


@contextmanager
def postfix_sink():
    """Postfix's smtp-sink; `-c` prints a running "mesg=N" count on its standard output."""
    port = free_port()
    user = ["-u", "nobody"] if os.geteuid() == 0 else []  # it refuses to run as root
    with tempfile.NamedTemporaryFile(prefix="aidaily-smtp-sink-", suffix=".log") as out:
        command = [SMTP_SINK, *user, "-c", f"127.0.0.1:{port}", "256"]
        process = subprocess.Popen(command, stdout=out)
        with stopped_at_exit(process):
            wait_for_port(port)
            yield "smtp-sink (Postfix, C)", port, lambda: _sink_count(Path(out.name))


def _sink_count(path: Path) -> int:
    found = re.findall(rb"mesg=(\d+)", path.read_bytes())
    return int(found[-1]) if found else 0


@contextmanager
def stopped_at_exit(process: subprocess.Popen):
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def sink():
    """The C sink when Postfix is installed (apt-get install postfix), else the Python one."""
    return postfix_sink() if os.path.exists(SMTP_SINK) else aiosmtpd_sink()
