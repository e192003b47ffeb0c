"""The project's URLs plus /bench/trivial/, which serves fixed bytes through the same middleware.

/bench/trivial/ serves the issue page's bytes (BENCH_BODY_FILE); /bench/trivial/<name>/ serves
the bytes of another measured page (BENCH_BODY_DIR/<name>), so every row has a baseline of its
own size.
"""

import functools
import os
from pathlib import Path

from django.http import Http404, HttpResponse
from django.urls import path

from aidaily.urls import urlpatterns as project_urlpatterns


@functools.cache
def body(name: str = "") -> bytes:
    """A page's bytes, captured by archive.py before the measured server started."""
    if not name:
        return Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
    if not name.isidentifier():
        raise Http404
    return (Path(os.environ["BENCH_BODY_DIR"]) / name).read_bytes()


def trivial(request, name: str = ""):
    return HttpResponse(body(name))


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/trivial/<str:name>/", trivial),
    *project_urlpatterns,
]
