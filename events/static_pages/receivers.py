"""Bake after publication, correction and withdrawal (the signals are sent after commit)."""

from django.dispatch import receiver

from ..signals import issue_corrected, issue_published, issue_withdrawn
from . import baker


@receiver(issue_published, dispatch_uid="events.static_pages.published")
@receiver(issue_corrected, dispatch_uid="events.static_pages.corrected")
def issue_changed(sender, issue, **kwargs):
    baker.issue_changed(issue)


@receiver(issue_withdrawn, dispatch_uid="events.static_pages.withdrawn")
def issue_withdrawn_(sender, issue, **kwargs):
    baker.issue_withdrawn(issue)
