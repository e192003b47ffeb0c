"""What a fetch is made of: the policy it runs under, the exchanges it records, and the ways
it fails."""

from dataclasses import dataclass, field
from datetime import UTC, datetime


class FetchError(Exception):
    """A capture that did not produce a page.

    `message` gives the details (in English, as the network stack reports them); `kind` names
    the failure in a word the admin shows in the editor's language (Snapshot.ErrorKind).
    """

    transient = False
    kind = "protocol"

    def __init__(self, message, *, kind=None, http_status=None, retry_after=None, chain=None):
        super().__init__(message)
        self.message = message
        self.kind = kind or self.kind
        self.http_status = http_status
        self.retry_after = retry_after
        self.chain = chain or []


class RefusedURL(FetchError):
    """The URL or an address it leads to must never be fetched."""

    kind = "refused"


class PermanentFetchError(FetchError):
    """4xx, unsupported content, malformed responses: retrying will not help."""


class TransientFetchError(FetchError):
    """Timeouts, connection errors, 5xx and 429: worth trying again later."""

    transient = True
    kind = "connect"


@dataclass
class Policy:
    """What a fetch may do; built from settings by `Policy.from_settings()`."""

    user_agent: str
    max_bytes: int = 20 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    allow_private: bool = False
    #: Types accepted besides pages, texts and PDFs (feeds add their XML and JSON types).
    extra_types: frozenset = frozenset()
    accept: str = "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5"

    @classmethod
    def from_settings(cls):
        from django.conf import settings

        timeout = settings.SNAPSHOT_TIMEOUT
        return cls(
            user_agent=settings.SNAPSHOT_USER_AGENT,
            max_bytes=settings.SNAPSHOT_MAX_BYTES,
            connect_timeout=min(10.0, timeout),
            read_timeout=timeout,
            total_timeout=timeout * 4,
            allow_private=settings.SNAPSHOT_ALLOW_PRIVATE_ADDRESSES,
        )


@dataclass
class Exchange:
    """One request and its response, as sent and received."""

    url: str
    ip: str
    request: bytes
    status: int
    reason: str
    protocol: str
    headers: list[tuple[str, str]]
    body: object = None  # a temporary file holding the body as received (content-encoded)
    size: int = 0
    sha256: str = ""
    decoded: object = None  # the decompressed body, when a Content-Encoding was applied
    decoded_size: int = 0
    truncated: str = ""  # "" or the WARC-Truncated reason: "length" or "time"
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def header(self, name: str, default: str = "") -> str:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), default)

    @property
    def content_type(self) -> str:
        return self.header("Content-Type").split(";", 1)[0].strip().lower()

    def decoded_body(self):
        """The body without its Content-Encoding, rewound."""
        handle = self.decoded if self.decoded is not None else self.body
        handle.seek(0)
        return handle

    def close(self):
        for handle in (self.body, self.decoded):
            if handle is not None:
                handle.close()


@dataclass
class FetchResult:
    """Every exchange of a fetch; the last one is the page, the earlier ones redirects."""

    exchanges: list[Exchange]

    @property
    def final(self) -> Exchange:
        return self.exchanges[-1]

    @property
    def redirect_chain(self) -> list[dict]:
        return [
            {"url": e.url, "status": e.status, "location": e.header("Location")}
            for e in self.exchanges[:-1]
        ]

    def close(self):
        for exchange in self.exchanges:
            exchange.close()
