from django.db import models


class SourceQuerySet(models.QuerySet):
    def cited_by_issue(self, issue):
        """Sources cited by any item of the issue."""
        return self.filter(citations__issue=issue).distinct()


class SnapshotQuerySet(models.QuerySet):
    def succeeded(self):
        return self.filter(status="succeeded")
