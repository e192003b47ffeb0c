"""Local feed servers on 127.0.0.1 for the intake tests, and feed documents to serve."""

import pytest

from tests.sources.conftest import LocalServer, Reply, allow_local, server  # noqa: F401

from .feeds import atom, rss  # noqa: F401


@pytest.fixture
def serve_feed(server, allow_local):  # noqa: F811
    """serve_feed("/a.xml", body, content_type=...) → a watched Feed pointing at it."""
    from tests.factories import FeedFactory

    def make(path, body, *, content_type="application/rss+xml", **feed_fields):
        server.route(path, Reply(200, body, {"Content-Type": content_type}))
        return FeedFactory(url=server.url(path), **feed_fields)

    return make
