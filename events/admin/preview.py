"""Staff preview and signed preview links for outside reviewers."""


class PreviewLinkAdminMixin:
    """Filled in by the public archive capability (see events/admin/panels.py for the hooks)."""
