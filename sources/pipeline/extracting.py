"""Extraction: each captured page read back out of its WARC and its text extracted."""

import logging

from django.conf import settings

from .. import archive_reader, extraction
from .. import capture as archive
from ..models import Snapshot
from .changes import finish_extraction

logger = logging.getLogger(__name__)


def extract_many(snapshot_ids: list[int]) -> list[Snapshot]:
    """Extract the text of each captured snapshot, oldest capture first."""
    snapshots = (
        Snapshot.objects.select_related("source")
        .filter(pk__in=snapshot_ids, status=Snapshot.Status.CAPTURED)
        .order_by("finished_at", "pk")
    )
    return [extract(snapshot) for snapshot in snapshots]


def extract(snapshot: Snapshot) -> Snapshot:
    """Read the page back from the WARC, extract it and finish the row as succeeded."""
    try:
        body = archive_reader.page_body(
            snapshot,
            # Never more than the capture's cap: a gzip bomb's raw bytes decompress past it.
            limit=min(extraction.HTML_LIMIT, settings.SNAPSHOT_MAX_BYTES),
            pdf_limit=settings.SNAPSHOT_MAX_BYTES,
        )
        with body:
            found = extraction.extract(
                body, content_type=snapshot.content_type, url=snapshot.final_url
            )
        archive.save_text(snapshot, found.text)
    except Exception as exc:
        logger.exception("extracting capture %s failed", snapshot.pk)
        Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.CAPTURED).update(
            status=Snapshot.Status.FAILED,
            error=f"extracting the text failed: {exc}"[:2000],
            error_kind=Snapshot.ErrorKind.EXTRACTION,
        )
        snapshot.refresh_from_db()
        return snapshot
    snapshot.text_sha256 = found.text_sha256
    snapshot.charset = found.charset[:40]
    snapshot.charset_source = found.charset_source[:40]
    snapshot.page_title = found.title[:500]
    snapshot.page_date = found.published
    snapshot.language = found.language[:16]
    return finish_extraction(snapshot)
