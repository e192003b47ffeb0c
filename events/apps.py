from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("日报编辑")

    def ready(self):
        # Receivers (workflow, verification, page cache) and the PreviewLink model.
        from . import pagecache, preview, receivers, receivers_verification  # noqa: F401
