"""One deadline for a whole fetch, held on every read of the socket.

A socket timeout bounds one wait, not the fetch: a server that sends a byte just before each
timeout (one header byte a second, a chunk-size line dripped out) would otherwise hold a worker
for as long as it likes. Here every receive, and every step of the TLS handshake, may wait at
most what is left of the fetch's deadline.
"""

import io
import select
import socket
import ssl
import time


class DeadlineExceeded(TimeoutError):
    """The fetch's total deadline passed; a TimeoutError, so callers treat it as one."""


SLACK = 0.01  # a wait cut at the deadline may wake a hair before it: that still is the deadline


class Clock:
    """A fetch's deadline, with the longest a single wait on the network may last."""

    def __init__(self, *, deadline: float, total: float, read_timeout: float):
        self.deadline, self.total, self.read_timeout = deadline, total, read_timeout

    def wait(self) -> float:
        """How long the next wait may last; raises DeadlineExceeded when the deadline passed."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.timed_out()
        return min(self.read_timeout, left)

    def timed_out(self) -> TimeoutError:
        """The error for a wait that ran out: the deadline's, if that is what ended it."""
        if self.deadline - time.monotonic() <= SLACK:
            return DeadlineExceeded(f"the fetch took longer than its {self.total:g} s deadline")
        return TimeoutError(f"nothing arrived for {self.read_timeout:g} s")


class _Reader(io.RawIOBase):
    """The socket's bytes, each receive waiting no longer than the read timeout or the deadline."""

    def __init__(self, sock: socket.socket, clock: Clock):
        self._sock, self._clock = sock, clock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.settimeout(self._clock.wait())
        try:
            return self._sock.recv_into(buffer)
        except TimeoutError:
            raise self._clock.timed_out() from None


class DeadlineSocket:
    """What http.client.HTTPResponse needs of a socket (`makefile`), reading under a Clock."""

    def __init__(self, sock: socket.socket, clock: Clock):
        self._sock, self._clock = sock, clock

    def makefile(self, mode: str = "rb", *args, **kwargs):
        return io.BufferedReader(_Reader(self._sock, self._clock))


def tls_handshake(sock: socket.socket, host: str, clock: Clock) -> ssl.SSLSocket:
    """Wrap the socket in TLS, the handshake as a whole bound by the clock's deadline."""
    context = ssl.create_default_context()
    wrapped = context.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
    try:
        _handshake(wrapped, clock)
    except BaseException:
        wrapped.close()  # the wrapper now owns the connection
        raise
    wrapped.settimeout(clock.wait())
    return wrapped


def _handshake(wrapped: ssl.SSLSocket, clock: Clock) -> None:
    # Non-blocking, so each step of the handshake returns and the deadline is checked between
    # them; a blocking handshake waits out one timeout per record a server drips.
    wrapped.setblocking(False)
    while True:
        try:
            wrapped.do_handshake()
            return
        except ssl.SSLWantReadError:
            ready = select.select([wrapped], [], [], clock.wait())[0]
        except ssl.SSLWantWriteError:
            ready = select.select([], [wrapped], [], clock.wait())[1]
        if not ready:
            raise clock.timed_out()
