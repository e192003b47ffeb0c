"""Each enabled channel's preflight joins the publish gate (through events.gate.add_check)."""

from events import gate

from .models import ChannelDelivery
from .registry import CHANNELS, enabled


@gate.add_check
def channel_problems(issue) -> list[gate.Problem]:
    """What would keep an enabled channel from taking this issue, as the gate's problems."""
    found = []
    for name in enabled():
        label = ChannelDelivery.Channel(name).label
        for message, fix in CHANNELS[name].preflight(issue):
            found.append(gate.Problem("channel", f"{label}：{message}", fix))
    return found
