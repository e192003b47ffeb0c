"""Admin pieces for verification: a mixin for item admins and one for the issue's gate panel.

This module imports nothing from events; the events admin composes these mixins.
"""


class VerifiableItemAdminMixin:
    """Filled in by the verification capability: status column, filter, verify action."""


class IssueGateAdminMixin:
    """Filled in by the verification capability: the gate's problems in the workflow panel."""
