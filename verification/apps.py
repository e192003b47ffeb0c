from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("核实")

    def ready(self):
        from . import checks, receivers  # noqa: F401
