from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditionsConfig(AppConfig):
    name = "editions"
    verbose_name = _("PDF 与分享图")

    def ready(self):
        from events import exports
        from events.rendering import web

        from . import receivers  # noqa: F401 - connects the publication and correction signals
        from .pages import editions_on_page
        from .roles import register_roles
        from .services import pdf_export

        register_roles()
        # The A4 PDF: the stored file while it matches the issue, else made now.
        exports.register("pdf", pdf_export, binary=True)
        # The public page asks this app, above events, for the files it may offer.
        web.register_page_extra(editions_on_page)
