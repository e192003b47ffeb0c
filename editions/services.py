"""Making, keeping and serving an issue's files: only ever the ones made from what it shows now."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from events import pagecache
from events.models import Issue
from events.static_pages import baker

from . import images, pdf
from .fingerprint import edition_fingerprint
from .models import Edition
from .rendering import RendererUnavailable, RenderFailed

logger = logging.getLogger(__name__)

K, S = Edition.Kind, Edition.State
RENDERERS = {
    K.PDF: pdf.render_pdf,
    K.LONG_IMAGE: images.render_long_image,
    K.CARD: images.render_card,
}


def generate(*, issue_id: int, kinds=tuple(K), force: bool = False) -> list[Edition]:
    """Make the published issue's files that are missing or no longer match its content (every
    one when `force`); returns the editions with their new state. A missing renderer or a
    failed run is recorded on its edition, not raised: one kind failing leaves the others."""
    issue = Issue.objects.for_issue_page().filter(pk=issue_id, status=Issue.Status.PUBLISHED)
    issue = issue.first()
    if issue is None:  # withdrawn (or never published) before the worker got to it
        return []
    fingerprint = edition_fingerprint(issue)
    editions = [_generate_one(issue, kind, fingerprint, force=force) for kind in kinds]
    refresh_pages(issue)
    return editions


def _generate_one(issue, kind: str, fingerprint: str, *, force: bool) -> Edition:
    edition, _created = Edition.objects.get_or_create(issue=issue, kind=kind)
    if edition.is_current(fingerprint) and not force:
        return edition
    try:
        rendered = RENDERERS[kind](issue)
    except (RendererUnavailable, RenderFailed) as error:
        logger.warning("edition %s of %s not made: %s", kind, issue.date, error)
        # A forced run that fails keeps a file that still matches the content on offer.
        current = edition.is_current(fingerprint)
        edition.mark(S.READY if current else S.FAILED, error=str(error))
        return edition
    return _store(edition, rendered, fingerprint)


def _store(edition: Edition, rendered, fingerprint: str) -> Edition:
    """Keep the new file, unless the issue changed while it was drawn (then a later run, queued
    by that change, makes it again)."""
    with transaction.atomic():
        locked = Edition.objects.select_for_update().select_related("issue").get(pk=edition.pk)
        if edition_fingerprint(locked.issue) != fingerprint:
            locked.mark(S.STALE)
            return locked
        old_name = locked.file.name
        name = f"aidaily-{locked.issue.date:%Y-%m-%d}-{locked.kind}-{fingerprint[:12]}"
        locked.file.save(f"{name}.{rendered.extension}", ContentFile(rendered.content), save=False)
        locked.state, locked.error, locked.fingerprint = S.READY, "", fingerprint
        locked.size, locked.width, locked.height = (
            len(rendered.content),
            rendered.width,
            rendered.height,
        )
        locked.generated_at = timezone.now()
        locked.save()
        if old_name and old_name != locked.file.name:
            storage = locked.file.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return locked


def mark_stale(*, issue_id: int) -> int:
    """Stop offering the issue's files at once (a correction, a withdrawal); returns how many."""
    return Edition.objects.filter(issue_id=issue_id, state=S.READY).update(
        state=S.STALE, updated_at=timezone.now()
    )


def current_edition(issue, kind: str) -> Edition | None:
    """The issue's file of that kind if it was made from exactly what the issue shows now."""
    edition = Edition.objects.filter(issue=issue, kind=kind).select_related("issue").first()
    if edition is None or not edition.is_current(edition_fingerprint(issue)):
        return None
    return edition if edition.file.storage.exists(edition.file.name) else None


def pdf_export(issue) -> bytes:
    """The issue's PDF for `export_issue --format pdf`: the stored file while it is current,
    else made now from the issue as it stands (a draft included)."""
    edition = current_edition(issue, K.PDF)
    if edition is not None:
        with edition.file.open("rb") as stored:
            return stored.read()
    return pdf.render_pdf(Issue.objects.for_issue_page().get(pk=issue.pk)).content


def refresh_pages(issue) -> None:
    """Drop the cached public page of the issue and bake its file again, so its links and
    og:image show the new files."""
    versioned = Issue.objects.with_page_version().get(pk=issue.pk)
    keys = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            keys.append(pagecache.version_key(versioned))
    cache.delete_many(keys)
    baker.issue_page_changed(issue)


def queue_generation(*, issue_id: int, force: bool = False) -> None:
    """Queue the issue's files to be made after the current transaction commits."""
    from . import tasks

    transaction.on_commit(lambda: tasks.generate_editions.delay(issue_id, force=force))
