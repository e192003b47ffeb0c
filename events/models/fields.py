"""Model fields of the events app."""

from django.db import models

from ..rendering.markdown import validate_markdown


class MarkdownField(models.TextField):
    """Analyst Markdown: every model form refuses text nested deeper than the pages render."""

    default_validators = [validate_markdown]

    def deconstruct(self):
        # The column is a plain text column and the check is the application's, so migrations
        # record a TextField: changing the limit or the check never needs a migration.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs
