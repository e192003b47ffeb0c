"""Every kind of mail the project sends, as the bytes a local SMTP server received, and a DKIM key.

The outside tools (SpamAssassin, dkimpy's verifier) judge these exact bytes, so the tests see
what a reader's mail provider sees.
"""

import base64
import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from events.dailyformat.importer import import_text
from events.models import Issue
from newsletter import mailings, services
from newsletter.models import Delivery

from ..factories import (
    ConclusionFactory,
    CorrectionFactory,
    EventFactory,
    IssueFactory,
    PaperFactory,
    SubscriberFactory,
    cite,
)
from ..seed import seed_text

FROM_EMAIL = "AI前沿发展日报 <digest@daily.example.org>"
DKIM_DOMAIN = "daily.example.org"
DKIM_SELECTOR = "mail2026"


@pytest.fixture
def dkim_dns(settings, tmp_path):
    """Sign with a key made for this test; returns a `dnsfunc` serving its DKIM TXT record.

    dkimpy's verifier asks it instead of DNS, so no lookup ever leaves the machine.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    path = tmp_path / "dkim-private.pem"
    path.write_bytes(pem)
    settings.DKIM_DOMAIN = DKIM_DOMAIN
    settings.DKIM_SELECTOR = DKIM_SELECTOR
    settings.DKIM_PRIVATE_KEY_FILE = str(path)
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    name = f"{DKIM_SELECTOR}._domainkey.{DKIM_DOMAIN}.".encode()

    def dnsfunc(domain, timeout=5):
        return record if domain == name else None

    return dnsfunc


def published(issue):
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.PUBLISHED, published_at=timezone.now()
    )
    issue.refresh_from_db()
    return issue


def sample_issue():
    """The real sample issue (the seed file), imported as a draft."""
    return import_text(seed_text()).issue


def _english_issue():
    issue = IssueFactory(
        date=datetime.date(2026, 4, 9),
        language=Issue.Language.ENGLISH,
        overview="Compute and capital set the pace this week: long-term power deals came first.",
        business_analysis="For companies, certainty of supply is turning into an advantage.",
        coverage_note="Public, high-signal news that is new, updated or still strategic.",
    )
    for position, text in enumerate(
        [
            "Frontier labs now compete on compute contracts as much as on models.",
            "Open-weight releases keep closing the gap on reasoning benchmarks.",
            "Agent security is moving from prompts to whole workflows.",
        ],
        start=1,
    ):
        ConclusionFactory(issue=issue, position=position, text=text)
    event = EventFactory(
        issue=issue,
        title="A multi-gigawatt compute agreement",
        what_happened="A model developer signed a long-term agreement for data-centre capacity.",
        key_facts="The agreement covers several gigawatts over five years.",
        why_it_matters="Supply of compute is being locked in years ahead.",
        implications="Enterprises should review how exposed their suppliers are.",
    )
    cite(event, label="Official announcement")
    paper = PaperFactory(
        issue=issue,
        name="FlowBench",
        headline="a benchmark for workflow-level agent risks",
        what_it_does="Proposes a benchmark of multi-step agent tasks.",
        what_is_new="It scores risks across a whole workflow, not one prompt.",
        applications="Security reviews of agent deployments.",
        one_line_take="Agent security is becoming a process problem.",
    )
    cite(paper, label="arXiv")
    return published(issue)


def _received(smtp_server, start) -> bytes:
    before = len(smtp_server.messages)
    start()
    (message,) = smtp_server.messages[before:]
    return message[2]


@pytest.fixture
def every_mail_kind(smtp_server, settings, django_capture_on_commit_callbacks):
    """kind → the bytes the SMTP server accepted: digest zh/en, confirmation, correction."""
    settings.DEFAULT_FROM_EMAIL = FROM_EMAIL
    reader = SubscriberFactory(email="reader@mail.example")
    zh_issue = published(sample_issue())
    en_issue = _english_issue()

    def run(function, *args, **kwargs):
        def start():
            with django_capture_on_commit_callbacks(execute=True):
                function(*args, **kwargs)

        return start

    kinds = {
        "digest-zh": _received(smtp_server, run(mailings.start_digest, zh_issue)),
        "digest-en": _received(smtp_server, run(mailings.start_digest, en_issue)),
        "confirmation": _received(
            smtp_server, run(services.subscribe, email="newcomer@mail.example")
        ),
    }
    assert Delivery.objects.filter(subscriber=reader, status=Delivery.Status.SENT).count() == 2
    correction = CorrectionFactory(issue=zh_issue, text="第 2 条大事件的协议规模已更正为 3 吉瓦。")
    kinds["correction"] = _received(smtp_server, run(mailings.start_correction_notice, correction))
    return kinds
