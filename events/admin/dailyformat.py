"""Upload a daily-format file as a draft issue; download an issue in the daily format."""


class DailyFormatAdminMixin:
    """Filled in by the import/export capability (see events/admin/panels.py for the hooks)."""
