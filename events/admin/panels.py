"""How other capabilities add to the issue's admin page without editing it.

IssueAdmin is composed of mixins (daily-format import/export, snapshots, verification gate,
preview links, digest). Each mixin cooperates through three hooks, always calling super():

- ``issue_panels(request, issue) -> list[Panel]``: boxes shown in the workflow sidebar of the
  change page (a title, a template and its context);
- ``object_tools(request, issue) -> list[Tool]``: buttons in the change page's toolbar
  (``issue`` is None on the list page);
- ``get_urls()`` and ``get_actions(request)``: Django's own hooks, extended the usual way.
"""

from aidaily.adminpanels import Panel, Tool


class IssuePanelsBase:
    """The end of the cooperative chain: no panels, no tools."""

    def issue_panels(self, request, issue) -> list[Panel]:
        return []

    def object_tools(self, request, issue) -> list[Tool]:
        return []
