"""What the intake desk needs from the issue layer above it, filled in by that layer.

Intake sits below events and must not import it; events registers a desk at ready() that
answers "was this covered before?", "what is today's coverage window?" and "add this story
to today's issue". Without one (intake used alone) nothing is covered and nothing can be added.
"""

from datetime import datetime, timedelta

from django.utils import timezone


class Refused(Exception):
    """The desk will not do what was asked; the message says why, in the editor's language."""


class Desk:
    """The default desk: no issues exist."""

    sections = ()  # (key, label) pairs the inbox offers as "add as ..."

    def coverage_window(self, *, now=None) -> tuple[datetime, datetime]:
        """Aware start and end of the window the inbox shows: the last two days by default."""
        now = now or timezone.now()
        return now - timedelta(days=2), now + timedelta(minutes=1)

    def covered_before(self, stories) -> dict[int, list[dict]]:
        """Story id → [{"date": "YYYY-MM-DD", "item": "event-1", "url": ...}] for earlier issues."""
        return {}

    def add_to_issue(self, *, story, section: str, user) -> tuple[str, str]:
        """Create the item; returns (label, admin URL) of it."""
        raise Refused("no issue layer is installed")


_desk = Desk()


def register(desk: Desk) -> None:
    """Install the desk the issue layer provides (called from its AppConfig.ready)."""
    global _desk
    _desk = desk


def desk() -> Desk:
    return _desk
