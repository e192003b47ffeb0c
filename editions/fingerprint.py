"""What a generated file shows beyond the issue's content: its corrections and its links.

The content fingerprint (events/fingerprint.py) does not move on a correction (a published
issue's content is frozen; a correction is a dated note beside it, or a corrected source URL),
but the PDF's footer and footnotes do. A file made before either is stale.
"""

import hashlib

from django.conf import settings

from events.fingerprint import content_fingerprint
from events.models import Citation, Correction

#: Raised when the templates or renderers change what a file shows, so old files are made again.
RENDERING_VERSION = "1"


def edition_fingerprint(issue) -> str:
    """sha256 over the content fingerprint, the corrections, the cited URLs and the site URL."""
    corrections = Correction.objects.filter(issue=issue).order_by("pk").values_list("pk", "text")
    urls = Citation.objects.filter(issue=issue).order_by("pk").values_list("pk", "source__url")
    parts = [
        RENDERING_VERSION,
        content_fingerprint(issue),
        settings.SITE_URL,
        str(issue.published_at),
        repr(list(corrections)),
        repr(list(urls)),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
