from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("订阅与邮件")

    def ready(self):
        from events import exports

        from . import checks, receivers  # noqa: F401 - registers deploy checks, connects signals
        from .mailings import digest_message_file
        from .roles import register_roles

        register_roles()
        # A complete message file (.eml): headers, text and HTML parts, signed when DKIM is on.
        exports.register("email", digest_message_file)
