"""Fixtures of the editions tests: a media folder of their own, the sample issue, the outside
tools (pdftotext, pdffonts, Chromium, WeasyPrint) and stand-in renderers for the fast tests."""

import io
import shutil
import subprocess

import pytest
from django.core.cache import cache

from editions import services
from editions.models import Edition
from editions.rendering import Rendered

from ..conftest import missing_service
from ..events.public.sample import build_sample_issue


@pytest.fixture(autouse=True)
def media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sample_issue(db):
    return build_sample_issue()


def need(program: str) -> str:
    path = shutil.which(program)
    if not path:
        missing_service(f"{program} is not installed (see .ci/run)")
    return path


@pytest.fixture
def real_renderers():
    """The real WeasyPrint and Chromium (skipped on a bare machine, a failure in CI)."""
    need("chromium")
    need("pdftotext")
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        missing_service(f"WeasyPrint does not load: {error}")


def pdf_text(path, *, page=None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        [need("pdftotext"), *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def png_bytes(width: int, height: int) -> bytes:
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(output, format="PNG")
    return output.getvalue()


@pytest.fixture
def fake_renderers(monkeypatch):
    """Stand-ins that make small valid files at once; `calls` lists the kinds made."""
    calls = []

    def fake(kind, rendered):
        def render(issue):
            calls.append(kind)
            return rendered

        return render

    monkeypatch.setitem(
        services.RENDERERS,
        Edition.Kind.PDF,
        fake("pdf", Rendered(b"%PDF-1.7 fake", "pdf", "application/pdf")),
    )
    for kind, size in ((Edition.Kind.LONG_IMAGE, (1080, 2000)), (Edition.Kind.CARD, (1200, 630))):
        content = png_bytes(*size)
        monkeypatch.setitem(
            services.RENDERERS, kind, fake(kind, Rendered(content, "png", "image/png", *size))
        )
    return calls
