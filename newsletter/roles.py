"""What the chief editor may do with subscribers and digests (the analyst has no access)."""

from events.roles import CHIEF_EDITOR, register

CHIEF_EDITOR_PERMISSIONS = [
    "newsletter.view_subscriber",
    "newsletter.add_subscriber",
    "newsletter.change_subscriber",
    "newsletter.delete_subscriber",
    "newsletter.view_mailing",
    "newsletter.send_mailing",
    "newsletter.view_delivery",
]


def register_roles() -> None:
    register(CHIEF_EDITOR, CHIEF_EDITOR_PERMISSIONS)
