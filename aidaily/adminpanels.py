"""The shapes through which apps add boxes and buttons to the issue's admin page.

They live in the wiring package because every layer contributes (sources, verification,
events, newsletter) and the lower layers may not import events. The cooperative hooks that use
them are described in events/admin/panels.py.
"""

from dataclasses import dataclass, field


@dataclass
class Panel:
    """A box of the issue's workflow sidebar: a title, a template and its context."""

    title: str
    template: str
    context: dict = field(default_factory=dict)


@dataclass
class Tool:
    """A toolbar button; method "post" renders a small form with the CSRF token."""

    label: str
    url: str
    method: str = "get"


class RecordAdminMixin:
    """For logs and other records written only by services: readable, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
