from django.db import migrations

from events.roles import ANALYST, ANALYST_PERMISSIONS, CHIEF_EDITOR, CHIEF_EDITOR_PERMISSIONS, grant


def create_roles(apps, schema_editor):
    grant(apps, ANALYST, ANALYST_PERMISSIONS)
    grant(apps, CHIEF_EDITOR, CHIEF_EDITOR_PERMISSIONS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[ANALYST, CHIEF_EDITOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("sources", "0001_initial"),
        ("verification", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
