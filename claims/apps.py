from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("数字核对")

    def ready(self):
        from . import receivers  # noqa: F401
