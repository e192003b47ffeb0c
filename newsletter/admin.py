"""Admin for subscribers and deliveries, and the digest panel on the issue page."""


class IssueDigestAdminMixin:
    """Filled in by the digest capability (see events/admin/panels.py for the hooks)."""
