"""What the issue page's channels panel shows: each channel's deliveries and their state."""

from dataclasses import dataclass, field

from .models import ChannelDelivery
from .registry import CHANNELS, enabled

S = ChannelDelivery.Status


@dataclass
class ChannelRow:
    name: str
    label: str
    enabled: bool
    deliveries: list = field(default_factory=list)


def rows_for(issue) -> list[ChannelRow]:
    """Every enabled channel, and any other that has deliveries of this issue, in panel order."""
    deliveries = list(
        ChannelDelivery.objects.filter(issue=issue).select_related("endpoint").order_by("pk")
    )
    switched_on = set(enabled())
    rows = []
    for name in CHANNELS:
        mine = [d for d in deliveries if d.channel == name]
        if mine or name in switched_on:
            label = ChannelDelivery.Channel(name).label
            rows.append(ChannelRow(name, label, name in switched_on, mine))
    return rows


def retryable(delivery) -> bool:
    return delivery.status in (S.FAILED, S.UNCERTAIN)
