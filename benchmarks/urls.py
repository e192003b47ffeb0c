"""The project's URLs plus /bench/trivial/, which serves fixed bytes through the same middleware."""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from aidaily.urls import urlpatterns as project_urlpatterns

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes() if "BENCH_BODY_FILE" in os.environ else b""


def trivial(request):
    return HttpResponse(BODY)


urlpatterns = [path("bench/trivial/", trivial), *project_urlpatterns]
