"""The share images: a long PNG (长图) and a 1200×630 card, drawn by headless Chromium.

Chromium screenshots exactly its window. The card's window is its size. The long image is taken
in a window taller than any issue needs and trimmed: the page's canvas is a colour no content
uses, and the image ends at the last row that is not all canvas.
"""

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from .rendering import Rendered, RendererUnavailable, RenderFailed, file_context

LONG_WIDTH = 1080
LONG_MAX_HEIGHT = 16000
CARD_SIZE = (1200, 630)
CANVAS = (1, 2, 3)  # the long template's <html> background: never drawn by content
CANVAS_CSS = "rgb({},{},{})".format(*CANVAS)
TIMEOUT = 90
#: Off the network and quiet, as the browser tests launch it; no host name resolves.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--force-device-scale-factor=1",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


def chromium_path() -> str:
    return settings.EDITIONS_CHROMIUM or shutil.which("chromium") or ""


def render_long_image(issue) -> Rendered:
    """Overview, conclusions and top events with the issue's URL, 1080 px wide."""
    html = render_to_string("editions/share_long.html", share_context(issue))
    png = _screenshot(html, LONG_WIDTH, LONG_MAX_HEIGHT)
    return _as_png(_trimmed(png))


def render_card(issue) -> Rendered:
    """The 1200×630 card shared as the issue's og:image."""
    html = render_to_string("editions/share_card.html", share_context(issue))
    return _as_png(_screenshot(html, *CARD_SIZE))


def share_context(issue) -> dict:
    """The page's context, the top events and the canvas colour that the trim looks for."""
    context = file_context(issue)
    return {**context, "top_events": context["events"][:5], "canvas": CANVAS_CSS}


def _screenshot(html: str, width: int, height: int) -> bytes:
    chromium = chromium_path()
    if not chromium:
        raise RendererUnavailable("Chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="aidaily-share-") as folder:
        page, shot = Path(folder) / "page.html", Path(folder) / "shot.png"
        page.write_text(html, encoding="utf-8")
        command = [
            chromium,
            *FLAGS,
            f"--user-data-dir={folder}/profile",
            f"--window-size={width},{height}",
            f"--screenshot={shot}",
            page.as_uri(),
        ]
        try:
            # HOME too: the worker's user may have no writable home for Chromium's own files.
            env = {**os.environ, "HOME": folder}
            run = {"capture_output": True, "timeout": TIMEOUT, "check": False, "env": env}
            subprocess.run(command, **run)  # noqa: S603 - our own arguments, no shell
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RenderFailed(f"Chromium: {error}") from error
        if not shot.exists():
            raise RenderFailed("Chromium wrote no screenshot")
        return shot.read_bytes()


def _trimmed(png: bytes) -> bytes:
    """The screenshot down to its last row of content."""
    from PIL import Image, ImageChops

    image = Image.open(io.BytesIO(png)).convert("RGB")
    background = Image.new("RGB", image.size, CANVAS)
    box = ImageChops.difference(image, background).getbbox()
    bottom = box[3] if box else 1
    output = io.BytesIO()
    image.crop((0, 0, image.width, bottom)).save(output, format="PNG", optimize=True)
    return output.getvalue()


def _as_png(png: bytes) -> Rendered:
    from PIL import Image

    width, height = Image.open(io.BytesIO(png)).size
    return Rendered(png, "png", "image/png", width=width, height=height)
