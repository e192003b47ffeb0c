from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class AidailyConfig(AppConfig):
    name = "aidaily"
    verbose_name = "aidaily"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy checks
        from .roles import grant_after_migrate, register_roles

        register_roles()
        post_migrate.connect(
            grant_after_migrate, sender=apps.get_app_config("axes"), dispatch_uid="aidaily-roles"
        )
