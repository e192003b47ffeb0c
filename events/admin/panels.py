"""How other capabilities add to the issue's admin page without editing it.

Apps above events (the digest, the channels, the intake desk) contribute through a registry: a
subclass of ``IssueContribution`` registered with ``@contribute`` from the app's ``admin.py``
adds boxes to the workflow sidebar, buttons to the toolbar and pages under the issue's admin
URLs. Nothing re-registers IssueAdmin. Pieces of events' own page are mixins of IssueAdmin
(events/admin/issue.py) that cooperate through the same two hooks, always calling super(), with
``IssuePanelsBase`` at the end of the chain, which then asks every registered contribution:

- ``issue_panels(request, issue) -> list[Panel]``: boxes shown in the workflow sidebar of the
  change page (a title, a template and its context);
- ``object_tools(request, issue) -> list[Tool]``: buttons in the change page's toolbar, and in
  the list page's when ``issue`` is None;
- ``get_urls()``: the contributions' own pages, after the mixins'.
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


class IssueContribution:
    """What one app adds to the issue's admin page. Override what it adds; the rest adds nothing.

    ``model_admin`` is the registered IssueAdmin: use ``model_admin.admin_site.admin_view`` to
    wrap a page, and ``model_admin.get_object`` to load the issue the user may see.
    """

    def __init__(self, model_admin):
        self.model_admin = model_admin

    def panels(self, request, issue) -> list[Panel]:
        return []

    def tools(self, request, issue) -> list[Tool]:
        return []

    def urls(self) -> list:
        return []


_contributions: list[type[IssueContribution]] = []


def contribute(contribution: type[IssueContribution]) -> type[IssueContribution]:
    """Register a contribution to the issue page (a class decorator). Registering twice (a module
    imported again) adds it once."""
    if contribution not in _contributions:
        _contributions.append(contribution)
    return contribution


class IssuePanelsBase:
    """The end of the cooperative chain: what the registered contributions add."""

    def contributions(self) -> list[IssueContribution]:
        return [contribution(self) for contribution in _contributions]

    def issue_panels(self, request, issue) -> list[Panel]:
        return [panel for c in self.contributions() for panel in c.panels(request, issue)]

    def object_tools(self, request, issue) -> list[Tool]:
        return [tool for c in self.contributions() for tool in c.tools(request, issue)]

    def get_urls(self):
        own = [url for c in self.contributions() for url in c.urls()]
        return own + super().get_urls()
