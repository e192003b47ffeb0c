from django.db import migrations

from editions.roles import ANALYST_PERMISSIONS, CHIEF_EDITOR_PERMISSIONS
from events.roles import ANALYST, CHIEF_EDITOR, grant


def grant_roles(apps, schema_editor):
    grant(apps, ANALYST, ANALYST_PERMISSIONS)
    grant(apps, CHIEF_EDITOR, CHIEF_EDITOR_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("editions", "0001_initial"),
        ("events", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
