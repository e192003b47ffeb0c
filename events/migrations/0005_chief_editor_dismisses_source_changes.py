from django.db import migrations

from events.roles import CHIEF_EDITOR, CHIEF_EDITOR_LATER_PERMISSIONS, grant


def grant_chief_editor(apps, schema_editor):
    # Dismissing a source-change alert is verification's own permission, not "may correct".
    grant(apps, CHIEF_EDITOR, CHIEF_EDITOR_LATER_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_search_trigram_indexes_in_model_state"),
        ("verification", "0002_evidence_and_alerts"),
    ]

    operations = [migrations.RunPython(grant_chief_editor, migrations.RunPython.noop)]
