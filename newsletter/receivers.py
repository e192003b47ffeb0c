"""Signal receivers: publication starts the digest."""

from django.dispatch import receiver

from events.signals import issue_published

from . import tasks


@receiver(issue_published, dispatch_uid="newsletter.start_digest")
def send_digest_on_publication(sender, issue, **kwargs):
    tasks.start_digest.delay(issue.pk)
