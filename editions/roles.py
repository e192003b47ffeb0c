"""The chief editor regenerates the PDF and share images; analysts may only look at them."""

from events.roles import ANALYST, CHIEF_EDITOR, register

ANALYST_PERMISSIONS = ["editions.view_edition"]
CHIEF_EDITOR_PERMISSIONS = ["editions.view_edition", "editions.regenerate_edition"]


def register_roles() -> None:
    register(ANALYST, ANALYST_PERMISSIONS)
    register(CHIEF_EDITOR, CHIEF_EDITOR_PERMISSIONS)
