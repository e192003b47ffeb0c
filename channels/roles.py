"""What the chief editor may do with the channels (the analyst only reads the WeChat copy)."""

from events.roles import CHIEF_EDITOR, register

CHIEF_EDITOR_PERMISSIONS = [
    "channels.view_channeldelivery",
    "channels.retry_channeldelivery",
    "channels.view_webhookendpoint",
    "channels.add_webhookendpoint",
    "channels.change_webhookendpoint",
    "channels.delete_webhookendpoint",
]


def register_roles() -> None:
    register(CHIEF_EDITOR, CHIEF_EDITOR_PERMISSIONS)
