"""The channels, which events each takes, and whether it is switched on.

A channel is on when its settings are filled in (webhooks: when an active endpoint exists);
every channel's module offers `send(delivery) -> dict` and `preflight(issue) -> list`.
"""

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings

from .models import ChannelDelivery, WebhookEndpoint

C = ChannelDelivery.Channel
K = ChannelDelivery.Kind


@dataclass(frozen=True)
class Channel:
    name: str
    kinds: tuple
    #: whether a request that got no answer may be sent again (the receiver deduplicates)
    repeatable: bool
    #: "module" or "module:object" offering is_enabled(), send(delivery), preflight(issue)
    target: str

    def _impl(self):
        module, _sep, attr = self.target.partition(":")
        found = import_module(module)
        return getattr(found, attr) if attr else found

    def is_enabled(self) -> bool:
        return self._impl().is_enabled()

    def send(self, delivery) -> dict:
        return self._impl().send(delivery)

    def preflight(self, issue) -> list[tuple[str, str]]:
        """(what is wrong, what to do) for each reason this channel could not take the issue."""
        return self._impl().preflight(issue)


CHANNELS = {
    # A published WeChat article cannot be edited or taken back through draft/freepublish:
    # corrections and withdrawals are done by hand in the WeChat back office.
    C.WECHAT: Channel(C.WECHAT, (K.PUBLISH,), False, "channels.wechat_api"),
    C.FEISHU: Channel(C.FEISHU, (K.PUBLISH, K.CORRECT), False, "channels.chatbots:feishu"),
    C.DINGTALK: Channel(C.DINGTALK, (K.PUBLISH, K.CORRECT), False, "channels.chatbots:dingtalk"),
    C.WEBHOOK: Channel(C.WEBHOOK, (K.PUBLISH, K.CORRECT, K.WITHDRAW), True, "channels.webhooks"),
}


def enabled() -> list[str]:
    """The names of the channels switched on, in the panel's order."""
    return [name for name, channel in CHANNELS.items() if channel.is_enabled()]


def webhooks_enabled() -> bool:
    return WebhookEndpoint.objects.filter(active=True).exists()


def wechat_enabled() -> bool:
    return bool(settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET)
