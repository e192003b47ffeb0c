"""How other capabilities add to the issue's admin page without editing it.

IssueAdmin is composed of mixins (daily-format import/export, snapshots, verification gate,
preview links, digest). Each mixin cooperates through three hooks, always calling super():

- ``issue_panels(request, issue) -> list[Panel]``: boxes shown in the workflow sidebar of the
  change page (a title, a template and its context);
- ``object_tools(request, issue) -> list[Tool]``: buttons in the change page's toolbar
  (``issue`` is None on the list page);
- ``get_urls()`` and ``get_actions(request)``: Django's own hooks, extended the usual way.
"""

from dataclasses import dataclass, field


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)


@dataclass
class Tool:
    label: str
    url: str
    method: str = "get"  # "post" renders a small form with the CSRF token


class IssuePanelsBase:
    """The end of the cooperative chain: no panels, no tools."""

    def issue_panels(self, request, issue) -> list[Panel]:
        return []

    def object_tools(self, request, issue) -> list[Tool]:
        return []
