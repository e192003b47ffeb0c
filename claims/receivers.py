"""Receivers of the claims app: each a one-line call into the services."""

from django.dispatch import receiver

from sources.signals import source_changed
from verification import changes

from . import drift, services


@receiver(source_changed, dispatch_uid="claims.recheck_on_source_change")
def recheck_on_source_change(sender, source, snapshot, previous=None, **kwargs):
    """A cited page changed: its figures are checked again against the new text."""
    services.refresh_items(citation.item for citation in source.citations.all())


changes.register_change_explainer(drift.explain_change)
