from django.db import migrations

from intake.roles import (
    ANALYST_GROUP,
    ANALYST_PERMISSIONS,
    CHIEF_EDITOR_GROUP,
    CHIEF_EDITOR_PERMISSIONS,
)


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("intake")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ((ANALYST_GROUP, ANALYST_PERMISSIONS),
                              (CHIEF_EDITOR_GROUP, CHIEF_EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [p.split(".")[1] for p in permissions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="intake", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_watched_feeds_entries_stories"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
