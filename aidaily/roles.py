"""The chief editor lifts login lockouts: sees the access attempts and deletes one to unlock."""

from django.apps import apps as global_apps

from events.roles import CHIEF_EDITOR, grant, register

CHIEF_EDITOR_PERMISSIONS = ["axes.view_accessattempt", "axes.delete_accessattempt"]


def register_roles() -> None:
    register(CHIEF_EDITOR, CHIEF_EDITOR_PERMISSIONS)


def grant_after_migrate(sender, apps=global_apps, **kwargs) -> None:
    """Grant once axes' tables exist (axes ships its own migrations, so no data migration here).

    Only to an existing group: a test database flush also sends post_migrate, and a group created
    here would hold these permissions alone, hiding that ensure_roles() must restore the rest.
    A flush sends no `apps`: the current models then.
    """
    if apps.get_model("auth", "Group").objects.filter(name=CHIEF_EDITOR).exists():
        grant(apps, CHIEF_EDITOR, CHIEF_EDITOR_PERMISSIONS)
