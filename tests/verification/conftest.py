"""Fixtures of the verification tests."""

import pytest

# The lead imports events.receivers_verification from EventsConfig.ready(); import it here too,
# so these tests hold whichever lands first (@receiver with dispatch_uid connects once).
import events.receivers_verification  # noqa: F401

from ..factories import EventFactory, SourceFactory, cite


@pytest.fixture
def event(db):
    """An unverified event citing an official source that has one successful capture."""
    item = EventFactory()
    cite(item, SourceFactory(official=True, publisher="OpenAI"))
    return item
