"""Optimistic concurrency for content edited by several people at once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import content_guard


class ConcurrentEditError(Exception):
    """Someone else saved the row after this editor loaded it."""


class VersionedContent(models.Model):
    """A row with a version counter: a save based on a stale version is refused, not merged."""

    version = models.PositiveIntegerField(
        _("版本"),
        default=1,
        editable=False,
        help_text=_("每次保存加一；用于发现两人同时编辑。"),
    )

    class Meta:
        abstract = True

    def save(self, *args, expected_version=None, **kwargs):
        """Save; with expected_version, refuse when the stored row has moved past it.

        Admin forms set `_expected_version` on the instance instead of passing the argument,
        because Django's admin calls save() itself.
        """
        if expected_version is None:
            expected_version = self.__dict__.pop("_expected_version", None)
        if self.pk is not None and expected_version is not None:
            claimed = (
                type(self)
                ._base_manager.filter(pk=self.pk, version=expected_version)
                .update(version=expected_version + 1)
            )
            if not claimed:
                raise ConcurrentEditError(self.pk)
            self.version = expected_version + 1
        elif self.pk is not None:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)


class GuardedPart(models.Model):
    """A part of an issue (conclusion, item, citation): saving or deleting it is refused while
    it would change a published issue (events.content_guard)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Save; refused when it would change a published issue."""
        content_guard.check_part_save(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Delete; refused when the part belongs to a published issue."""
        content_guard.check_part_delete(self)
        return super().delete(*args, **kwargs)
