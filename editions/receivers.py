"""Publication makes the files; a correction or a withdrawal stops them being offered at once,
and a correction makes them again."""

from django.conf import settings
from django.dispatch import receiver

from events.signals import issue_corrected, issue_published, issue_withdrawn

from . import services


@receiver(issue_published, dispatch_uid="editions.generate_on_publication")
def generate_on_publication(sender, issue, **kwargs):
    if settings.EDITIONS_ON_PUBLISH:
        services.queue_generation(issue_id=issue.pk)


@receiver(issue_corrected, dispatch_uid="editions.regenerate_on_correction")
def regenerate_on_correction(sender, issue, **kwargs):
    services.mark_stale(issue_id=issue.pk)
    if settings.EDITIONS_ON_PUBLISH:
        services.queue_generation(issue_id=issue.pk)


@receiver(issue_withdrawn, dispatch_uid="editions.withdraw_files")
def withdraw_files(sender, issue, **kwargs):
    services.mark_stale(issue_id=issue.pk)
