"""Receivers of the verification app: each a one-line call into the services."""

from django.dispatch import receiver

from sources.signals import source_changed

from . import services


@receiver(source_changed, dispatch_uid="verification.reopen_on_source_change")
def reopen_on_source_change(sender, source, snapshot, previous=None, **kwargs):
    """A cited source's content changed: verdicts that relied on it no longer stand."""
    services.handle_source_change(source=source, snapshot=snapshot, previous=previous)
