"""Fixtures of the claims tests: an item citing a captured source whose text is given."""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile

# As in the verification tests: the events receivers that turn a reopened item into a
# returned issue, whichever module imports them first.
import events.receivers_verification  # noqa: F401

from ..factories import EventFactory, SnapshotFactory, SourceFactory, cite

OPENAI_TEXT = (
    "San Francisco, March 31, 2026 — OpenAI closed a round with 122 billion US dollars in "
    "committed capital, at a post-money valuation of 852 billion US dollars.\n"
    "Monthly revenue has reached about 2 billion US dollars; individual investors put in "
    "more than 3 billion US dollars.\n© 2026 OpenAI. [1]"
)


def capture(source, text):
    """A succeeded snapshot of the source whose extracted text is `text`."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    snapshot = SnapshotFactory(source=source, text_sha256=digest)
    snapshot.text_file.save("text.txt", ContentFile(text.encode()))
    return snapshot


@pytest.fixture
def source(db):
    return SourceFactory(official=True, publisher="OpenAI", url="https://openai.com/index/a/")


@pytest.fixture
def event(source):
    """An event of the 2026-04-08 issue whose figures its captured source states."""
    item = EventFactory(
        issue__date=datetime.date(2026, 4, 8),
        title="OpenAI 完成 1220 亿美元融资",
        what_happened="OpenAI 于 2026-03-31 公布融资结果，投后估值 8520 亿美元。",
        key_facts="公司月收入约 20 亿美元，个人投资者认购超过 30 亿美元。",
        why_it_matters="资本门槛抬高到 5000 亿美元。",
    )
    cite(item, source, captured=False)
    capture(source, OPENAI_TEXT)
    return item
