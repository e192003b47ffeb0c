from django.db import migrations


class Migration(migrations.Migration):
    """The band keys live on the entry now (0004); the table of one row per key goes."""

    dependencies = [
        ("intake", "0004_entry_band_columns"),
    ]

    operations = [
        migrations.DeleteModel(
            name="EntryBand",
        ),
    ]
