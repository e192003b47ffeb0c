"""Local HTTP servers on 127.0.0.1 that answer as WeChat, Feishu, DingTalk or a webhook would.

Each server records every request (method, path, query, headers, body) and answers with what
the test's `respond(request)` returns: (status, JSON dict), or None to close the connection
without answering, as a server that crashed after reading the request does.
"""

import http.server
import json
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class Server:
    def __init__(self, respond):
        self.respond = respond
        self.requests: list[Request] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers=dict(self.headers.items()),
                    body=self.rfile.read(length),
                )
                server.requests.append(request)
                answer = server.respond(request)
                if answer is None:
                    self.close_connection = True
                    return
                status, value = answer
                data = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeWeChat:
    """WeChat's token, draft/add and freepublish/submit, with their documented answers."""

    APP_ID = "wx0123456789abcdef"
    APP_SECRET = "app-secret-for-tests"

    def __init__(self):
        self.issued: list[str] = []
        self.valid: set[str] = set()
        self.drafts: dict[str, dict] = {}
        self.published: list[str] = []
        #: path → list of scripted answers used (and removed) before the normal one
        self.script: dict[str, list] = {}

    def expire_tokens(self):
        self.valid.clear()

    def __call__(self, request: Request):
        scripted = self.script.get(request.path)
        if scripted:
            answer = scripted.pop(0)
            return answer(request) if callable(answer) else answer
        if request.path == "/cgi-bin/token":
            return self.token(request)
        if request.query.get("access_token") not in self.valid:
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        if request.path == "/cgi-bin/draft/add":
            return self.draft_add(request)
        if request.path == "/cgi-bin/freepublish/submit":
            return self.submit(request)
        return 404, {"errcode": 404, "errmsg": "not found"}

    def token(self, request):
        q = request.query
        if q.get("grant_type") != "client_credential" or q.get("appid") != self.APP_ID:
            return 200, {"errcode": 40013, "errmsg": "invalid appid"}
        if q.get("secret") != self.APP_SECRET:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = f"ACCESS_TOKEN_{len(self.issued) + 1}"
        self.issued.append(token)
        self.valid.add(token)
        return 200, {"access_token": token, "expires_in": 7200}

    def draft_add(self, request):
        try:
            (article,) = request.json()["articles"]
        except (ValueError, KeyError, TypeError):
            return 200, {"errcode": 44003, "errmsg": "empty news data"}
        if not article.get("thumb_media_id"):
            return 200, {"errcode": 40007, "errmsg": "invalid media_id"}
        if len(article["title"]) > 32:
            return 200, {"errcode": 45003, "errmsg": "title size out of limit"}
        if len(article["content"]) >= 20000:
            return 200, {"errcode": 45002, "errmsg": "content size out of limit"}
        media_id = f"MEDIA_ID_{len(self.drafts) + 1}"
        self.drafts[media_id] = article
        return 200, {"media_id": media_id}

    def submit(self, request):
        media_id = request.json().get("media_id")
        if media_id not in self.drafts:
            return 200, {"errcode": 40007, "errmsg": "invalid media_id"}
        self.published.append(media_id)
        publish_id = str(100000000 + len(self.published))
        return 200, {"errcode": 0, "errmsg": "ok", "publish_id": publish_id}
