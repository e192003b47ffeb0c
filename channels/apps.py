from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = _("发布渠道")

    def ready(self):
        from . import preflight, receivers  # noqa: F401 - joins the publish gate, connects signals
        from .roles import register_roles

        register_roles()
