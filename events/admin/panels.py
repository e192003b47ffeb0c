"""How other capabilities add to the issue's admin page without editing it.

IssueAdmin (events/admin/issue.py) is composed of mixins: daily-format import/export, snapshots,
the verification gate and preview links. The digest's mixin cannot be listed there (newsletter
depends on events), so newsletter/admin.py registers IssueAdmin again with it in front. Each
mixin cooperates through two hooks of its own, always calling super(), with this class at the
end of the chain:

- ``issue_panels(request, issue) -> list[Panel]``: boxes shown in the workflow sidebar of the
  change page (a title, a template and its context);
- ``object_tools(request, issue) -> list[Tool]``: buttons in the change page's toolbar, and in
  the list page's when ``issue`` is None.

A mixin that needs its own pages extends Django's ``get_urls()`` the usual way.
"""

from aidaily.adminpanels import Panel, Tool


class IssuePanelsBase:
    """The end of the cooperative chain: no panels, no tools."""

    def issue_panels(self, request, issue) -> list[Panel]:
        return []

    def object_tools(self, request, issue) -> list[Tool]:
        return []
