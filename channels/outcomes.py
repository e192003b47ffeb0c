"""How a channel's sender tells the ledger what happened to one request."""


class Retry(Exception):
    """A definite answer that asks us to come back later (busy, rate limit, 5xx): try again."""

    def __init__(self, message: str, *, after: float | None = None):
        super().__init__(message)
        self.after = after


class Failed(Exception):
    """A definite refusal (bad credentials, malformed content): retrying will not help."""


class Uncertain(Exception):
    """The request may have arrived and been acted on: never repeated without an editor."""
