from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("订阅与邮件")

    def ready(self):
        from . import checks, receivers  # noqa: F401 - registers deploy checks, connects signals
        from .roles import register_roles

        register_roles()
