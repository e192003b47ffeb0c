from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = _("发布渠道")

    def ready(self):
        from events import exports

        from . import preflight, receivers  # noqa: F401 - joins the publish gate, connects signals
        from .roles import register_roles
        from .wechat import render_wechat

        register_roles()
        # HTML WeChat's editor keeps as it is: inline styles, sources as numbered footnotes.
        exports.register("wechat", render_wechat)
