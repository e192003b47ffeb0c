"""The outside tools that read our WARC files, run as their users run them: pywb's
`wb-manager` and `wayback` (replay), warcio's `warcio check` (digests and format).

pywb pins redis 2.10 and werkzeug, which the project's own redis client cannot live with, so it
is installed in a venv of its own (`make check-archive` puts it in var/pywb; PYWB_BIN names
another bin directory). REQUIRE_ARCHIVE_TOOLS=1 (set by that target) fails instead of skipping
when it is missing.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PYWB_BIN = Path(os.environ.get("PYWB_BIN", BASE_DIR / "var" / "pywb" / "bin"))
REQUIRED = os.environ.get("REQUIRE_ARCHIVE_TOOLS") == "1"
COLLECTION = "aidaily"


def warcio_check(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [Path(sys.executable).with_name("warcio"), "check", "-v", str(path)],
        capture_output=True,
        text=True,
    )


def pywb_tool(name: str) -> Path:
    tool = PYWB_BIN / name
    if not tool.exists():
        reason = f"pywb is not installed in {PYWB_BIN} (make check-archive)"
        if REQUIRED:
            pytest.fail(f"REQUIRE_ARCHIVE_TOOLS=1 but {reason}")
        pytest.skip(reason)
    return tool


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def wayback(root: Path, warcs: list[Path]):
    """A pywb collection of the WARC files under root, served on 127.0.0.1; yields its base URL.

    The server's own output is kept in root/wayback.log, which an assertion can show."""
    manager = pywb_tool("wb-manager")
    subprocess.run([manager, "init", COLLECTION], cwd=root, check=True, capture_output=True)
    added = subprocess.run(
        [manager, "add", COLLECTION, *map(str, warcs)], cwd=root, capture_output=True, text=True
    )
    assert added.returncode == 0, added.stdout + added.stderr
    port = _free_port()
    log = open(root / "wayback.log", "wb")  # noqa: SIM115 - closed when the server stops
    server = subprocess.Popen(
        [pywb_tool("wayback"), "-b", "127.0.0.1", "-p", str(port)],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(10)
        log.close()


def _wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        assert server.poll() is None, "wayback exited at start"
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("wayback did not start in time")


def get(url: str) -> tuple[int, str]:
    """Status and body text of a GET (error statuses answered, not raised)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
