from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("日报编辑")

    def ready(self):
        from . import receivers, receivers_verification  # noqa: F401
