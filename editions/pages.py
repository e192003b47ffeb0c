"""What the public issue page offers of this app: its own share card, the PDF and the long image."""

from django.conf import settings
from django.urls import reverse

from events.models import Issue

from .models import Edition

#: The public file names of each kind (under the issue's own URL).
FILE_NAMES = {
    Edition.Kind.PDF: "edition.pdf",
    Edition.Kind.LONG_IMAGE: "edition-long.png",
    Edition.Kind.CARD: "edition-card.png",
}
KIND_OF_FILE = {name: kind for kind, name in FILE_NAMES.items()}


def public_url(issue, kind: str, fingerprint: str) -> str:
    """The file's absolute URL; the fingerprint in it changes when the file is made again, so a
    crawler's or browser's copy of an earlier file is not shown for the new one."""
    path = reverse("editions:file", args=[issue.date.isoformat(), FILE_NAMES[kind]])
    return f"{settings.SITE_URL}{path}?v={fingerprint[:12]}"


def editions_on_page(issue) -> dict:
    """Context for the issue page: the card as og:image and the downloads that are ready (one
    query). The file view checks the content again before serving, so a page cached before a
    correction never leads to a stale file."""
    if issue.status != Issue.Status.PUBLISHED:
        return {}
    ready = dict(
        Edition.objects.filter(issue_id=issue.pk, state=Edition.State.READY).values_list(
            "kind", "fingerprint"
        )
    )
    urls = {kind: public_url(issue, kind, fingerprint) for kind, fingerprint in ready.items()}
    context = {
        "edition_pdf": urls.get(Edition.Kind.PDF, ""),
        "edition_long_image": urls.get(Edition.Kind.LONG_IMAGE, ""),
    }
    if Edition.Kind.CARD in urls:
        context["share_image"] = urls[Edition.Kind.CARD]
    return context
