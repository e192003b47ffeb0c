"""The project's URLs plus /bench/trivial/, which serves fixed bytes through the same middleware."""

import functools
import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from aidaily.urls import urlpatterns as project_urlpatterns


@functools.cache
def body() -> bytes:
    """The issue page's bytes, captured by archive.py before the measured server started."""
    return Path(os.environ["BENCH_BODY_FILE"]).read_bytes()


def trivial(request):
    return HttpResponse(body())


urlpatterns = [path("bench/trivial/", trivial), *project_urlpatterns]
