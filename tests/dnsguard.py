"""A resolver that refuses names outside the machine: tests never reach the real internet.

A test that imports an issue runs its captures in-process; without this guard a capture of
openai.com goes to the machine's resolver and, with no network, waits for its timeout or, with
one, fetches the live page. The guard raises at once and remembers the name, so a test that
swallows the error (as the fetcher does, recording a failed capture) still fails afterwards.
"""

import ipaddress
import os
import socket
import sys
from pathlib import Path

#: Put first on a subprocess's PYTHONPATH, its sitecustomize installs the guard in that process.
SITE_DIR = Path(__file__).resolve().parent / "dnsguard_site"

_real = {
    name: getattr(socket, name) for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex")
}


class OutsideLookup(socket.gaierror):
    """A test asked the resolver for a name outside the machine."""


def local_names() -> set[str]:
    hostname = socket.gethostname()
    return {"localhost", "localhost.localdomain", "127.0.0.1", "::1", hostname.lower()}


def is_local(host) -> bool:
    """No lookup leaves the machine: a local name, an address literal, or no host (bind)."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = host.strip("[]").rstrip(".").lower()
    if not host or host in local_names():
        return True
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


class Guard:
    """Installs the guarded resolver on `socket` and on modules that kept their own reference."""

    def __init__(self):
        self.lookups: list[str] = []

    def _guarded(self, name):
        real = _real[name]

        def resolve(host, *args, **kwargs):
            if not is_local(host):
                self.lookups.append(str(host))
                raise OutsideLookup(
                    socket.EAI_NONAME,
                    f"test looked up {host!r} outside the machine: fake the resolver "
                    "(point the name at 127.0.0.1) or the capture",
                )
            return real(host, *args, **kwargs)

        return resolve

    def install_in_process(self) -> None:
        """For a whole process (a benchmark the suite runs): before anything binds the resolver."""
        for name in _real:
            setattr(socket, name, self._guarded(name))

    def install(self, monkeypatch, modules=()) -> None:
        for name in _real:
            monkeypatch.setattr(socket, name, self._guarded(name))
        for module in modules:
            # The fetcher binds getaddrinfo at import, so tests can swap in a fake resolver.
            monkeypatch.setattr(module, "getaddrinfo", self._guarded("getaddrinfo"))

    def failure(self) -> str | None:
        if not self.lookups:
            return None
        names = ", ".join(sorted(set(self.lookups)))
        return (
            f"outside DNS lookups: {names}. Tests resolve only local names: fake the resolver "
            "(monkeypatch sources.fetcher.getaddrinfo to answer 127.0.0.1) or the capture."
        )


def subprocess_env(env: dict) -> dict:
    """The environment for a child process, with the guard installed when it starts."""
    path = [str(SITE_DIR), *filter(None, [env.get("PYTHONPATH")])]
    return {**env, "PYTHONPATH": os.pathsep.join(path)}


def exit_on_lookups(guard: Guard) -> None:
    """At a guarded process's exit: name the lookups and fail the process."""
    if failure := guard.failure():
        sys.stderr.write(f"{failure}\n")
        sys.stderr.flush()
        os._exit(3)
