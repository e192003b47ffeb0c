"""Local HTTP servers on 127.0.0.1 that the snapshot tests point the fetcher at."""

import gzip
import http.server
import threading
import time
from dataclasses import dataclass, field

import pytest


@dataclass
class Reply:
    """What a route answers: status, headers and body, optionally slowly or in a loop."""

    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    stream: object = None  # a callable yielding body chunks, for huge or endless bodies


class LocalServer:
    """A threaded HTTP server whose routes a test sets: server.route("/a", Reply(...))."""

    def __init__(self, host="127.0.0.1"):
        self.routes: dict[str, object] = {}
        self.requests: list[dict] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append({"path": self.path, "headers": dict(self.headers)})
                reply = server.routes.get(self.path.split("?")[0], Reply(404, b"not found"))
                if callable(reply):
                    reply = reply()
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if reply.stream is None:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    if reply.stream is None:
                        self.wfile.write(reply.body)
                    else:
                        for chunk in reply.stream():
                            self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        self.httpd = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.host = host
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/"):
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path, reply):
        self.routes[path] = reply
        return self.url(path)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = LocalServer()
    yield running
    running.close()


@pytest.fixture
def allow_local(settings):
    """Local test servers live on 127.0.0.1, which the address check refuses by default."""
    settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = True
    settings.SNAPSHOT_TIMEOUT = 2.0
    return settings


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def html_page(title: str, text: str, *, charset_meta: str = "") -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    paragraphs = "".join(f"<p>{text}</p>" for _ in range(6))
    return (
        f'<!DOCTYPE html><html lang="zh"><head>{meta}<title>{title}</title>'
        '<meta name="date" content="2026-04-07"></head>'
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )
