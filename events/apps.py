from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("日报编辑")

    def ready(self):
        from intake import hooks
        from intake import roles as intake_roles
        from sources import citing

        # Receivers (workflow, verification, page cache) and the PreviewLink model.
        from . import exports, pagecache, preview, receivers, receivers_verification  # noqa: F401
        from .intake_desk import IssueDesk
        from .models import OPEN_STATUSES, Issue
        from .rendering.web import render_issue_page
        from .roles import ANALYST, CHIEF_EDITOR, register
        from .static_pages import receivers as static_pages  # noqa: F401

        # The intake desk below this layer asks about issues through a registered desk.
        hooks.register(IssueDesk())
        register(ANALYST, intake_roles.ANALYST_PERMISSIONS)
        register(CHIEF_EDITOR, intake_roles.CHIEF_EDITOR_PERMISSIONS)
        # Sources may not read issue statuses: the scopes its captures and recaptures use.
        citing.register(citing.PUBLISHED, [Issue.Status.PUBLISHED])
        citing.register(citing.UNPUBLISHED, OPEN_STATUSES)
        exports.register("html", render_issue_page)
