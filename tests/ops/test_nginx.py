"""deploy/nginx: the baked archive answers through a real nginx with gunicorn down, and the
rest is handed to Django (here: nobody listens, so nginx answers 502)."""

import gzip
import socket
from http.client import HTTPConnection

import pytest

from benchmarks import local_nginx
from events.models import Issue
from events.signals import issue_published

from ..events.public.sample import build_sample_issue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not local_nginx.available(), reason="nginx is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(settings, tmp_path, django_capture_on_commit_callbacks):
    """nginx on the baked sample issue; the upstream port has no gunicorn behind it."""
    settings.STATIC_PAGES_ROOT = str(tmp_path / "pages")
    with django_capture_on_commit_callbacks(execute=True):
        issue_published.send(sender=Issue, issue=build_sample_issue())
    port, plain = free_port(), free_port()
    config = local_nginx.write_config(
        tmp_path / "nginx",
        pages_root=tmp_path / "pages",
        upstream=f"127.0.0.1:{free_port()}",
        port=port,
        plain_root=tmp_path,
        plain_port=plain,
    )
    process = local_nginx.start(config, port)
    yield port, tmp_path / "pages"
    local_nginx.stop(process)


def get(port, path, method="GET", **headers):
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_the_config_passes_nginx_t(tmp_path):
    config = local_nginx.write_config(
        tmp_path,
        pages_root=tmp_path,
        upstream="127.0.0.1:9",
        port=free_port(),
        plain_root=tmp_path,
        plain_port=free_port(),
    )
    checked = local_nginx.check(config)
    assert checked.returncode == 0, checked.stderr
    assert "warn" not in checked.stderr


@pytest.mark.parametrize(
    ("path", "file", "content_type"),
    [
        ("/issues/2026-04-08/", "zh-hans/issues/2026-04-08/index.html", "text/html"),
        ("/", "zh-hans/index.html", "text/html"),
        ("/issues/", "zh-hans/issues/index.html", "text/html"),
        ("/feed/", "zh-hans/feed/index.atom", "application/atom+xml"),
        ("/feed/rss/", "zh-hans/feed/rss/index.rss", "application/rss+xml"),
        ("/sitemap.xml", "zh-hans/sitemap.xml", "application/xml"),
    ],
)
def test_baked_pages_answer_with_gunicorn_down(nginx, path, file, content_type):
    port, pages = nginx
    response, body = get(port, path)
    assert response.status == 200
    assert body == (pages / file).read_bytes()
    assert response.getheader("Content-Type").startswith(content_type)
    tag = response.getheader("ETag")
    assert get(port, path, **{"If-None-Match": tag})[0].status == 304
    since = response.getheader("Last-Modified")
    assert get(port, path, **{"If-Modified-Since": since})[0].status == 304


def test_the_page_carries_the_same_security_headers_as_django(nginx, client):
    response, _body = get(nginx[0], "/issues/2026-04-08/")
    django = client.get("/issues/2026-04-08/")  # the same baked file, answered by Django
    # The policy is written twice (events/security.py and the nginx template): they must agree.
    for header in (
        "Content-Security-Policy",
        "Permissions-Policy",
        "Cross-Origin-Resource-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert response.getheader(header) == django[header], header
    assert "Cookie" in response.getheader("Vary")


def test_the_reader_language_picks_the_file(nginx):
    port, pages = nginx
    english = (pages / "en/issues/2026-04-08/index.html").read_bytes()
    assert get(port, "/issues/2026-04-08/", Cookie="django_language=en")[1] == english
    assert get(port, "/issues/2026-04-08/", **{"Accept-Language": "en-GB,en;q=0.9"})[1] == english
    forged = get(port, "/issues/2026-04-08/", Cookie="django_language=../../etc")[1]
    assert forged == (pages / "zh-hans/issues/2026-04-08/index.html").read_bytes()


def test_the_gzip_variant_is_served_to_readers_that_accept_it(nginx):
    port, pages = nginx
    response, body = get(port, "/issues/2026-04-08/", **{"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == (pages / "zh-hans/issues/2026-04-08/index.html").read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/issues/?page=2",
        "/issues/2026-04-08/?utm_source=x",
        "/search/?q=TPU",
        "/subscribe/",
        "/admin/",
        "/static/aidaily/site.css",
        "/issues/2026-04-09/",
        "/issues/2026-04-08/index.html",
        "/zh-hans/index.html",
        "/issues/../../etc/passwd",
    ],
)
def test_everything_else_goes_to_django(nginx, path):
    # No gunicorn behind this nginx: a request handed over answers 502, never a file.
    assert get(nginx[0], path)[0].status in (502, 400)
