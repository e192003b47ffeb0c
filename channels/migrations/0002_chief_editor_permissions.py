from django.db import migrations

from channels.roles import CHIEF_EDITOR_PERMISSIONS as PERMISSIONS
from events.roles import CHIEF_EDITOR, grant


def grant_chief_editor(apps, schema_editor):
    grant(apps, CHIEF_EDITOR, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_initial"),
        ("events", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_chief_editor, migrations.RunPython.noop)]
