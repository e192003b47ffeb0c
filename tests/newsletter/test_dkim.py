"""DKIM: every message is signed by the From domain, checked by dkimpy's own verifier."""

import email
import email.policy
import os
import re
import subprocess
import sys
from pathlib import Path

import dkim
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from events.dailyformat.importer import import_text
from newsletter import dkim as signing
from newsletter import mailings, sending

from ..factories import SubscriberFactory
from ..seed import seed_text
from .conftest import DKIM_DOMAIN, DKIM_SELECTOR

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def signature_tags(raw: bytes) -> dict[str, str]:
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    value = re.sub(r"\s+", "", message["DKIM-Signature"])
    return dict(tag.split("=", 1) for tag in value.split(";") if tag)


def test_every_mail_kind_is_signed_by_the_from_domain_and_verifies(dkim_dns, every_mail_kind):
    for kind, raw in every_mail_kind.items():
        assert raw.startswith(b"DKIM-Signature:"), kind
        assert dkim.verify(raw, dnsfunc=dkim_dns), kind
        tags = signature_tags(raw)
        assert (tags["d"], tags["s"], tags["a"]) == (DKIM_DOMAIN, DKIM_SELECTOR, "rsa-sha256")
        sender = email.message_from_bytes(raw, policy=email.policy.default)["From"]
        assert sender.addresses[0].domain == tags["d"], kind  # aligned, as DMARC requires


def test_signature_covers_the_one_click_unsubscribe_headers(dkim_dns, every_mail_kind):
    for kind in ("digest-zh", "digest-en", "correction"):
        signed = signature_tags(every_mail_kind[kind])["h"].split(":")
        for name in ("from", "to", "subject", "date", "message-id", "list-id", "feedback-id"):
            assert name in signed, (kind, name)
        # Oversigned: listed once more than present, so a second copy cannot be added.
        assert signed.count("list-unsubscribe") == 2
        assert signed.count("list-unsubscribe-post") == 2


def test_an_unsubscribe_link_added_or_altered_in_transit_breaks_the_signature(
    dkim_dns, every_mail_kind
):
    raw = every_mail_kind["digest-zh"]
    signature_end = raw.index(b"\r\nFrom:") + 2
    added = raw[:signature_end] + b"List-Unsubscribe: <https://attacker.example/>\r\n"
    added += raw[signature_end:]
    altered = raw.replace(b"/unsubscribe/", b"/unsubscribe/x", 1)
    body_changed = raw[:-40] + raw[-40:].replace(b"--", b"-x", 1)

    assert dkim.verify(raw, dnsfunc=dkim_dns)
    assert not dkim.verify(added, dnsfunc=dkim_dns)
    assert not dkim.verify(altered, dnsfunc=dkim_dns)
    assert not dkim.verify(body_changed, dnsfunc=dkim_dns)


def test_digest_written_by_the_file_backend_is_signed_too(dkim_dns, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    SubscriberFactory()
    issue = import_text(seed_text()).issue
    mailing = mailings.digest_for(issue)
    sending.create_deliveries(mailing)

    assert sending.send_batch(mailing_id=mailing.pk).sent == 1

    (path,) = Path(settings.EMAIL_FILE_PATH).iterdir()
    raw = path.read_bytes().rsplit(b"\n" + b"-" * 79, 1)[0]  # the backend's separator line
    assert dkim.verify(raw, dnsfunc=dkim_dns)


def test_exported_message_file_is_signed(dkim_dns, tmp_path):
    import_text(seed_text())
    target = tmp_path / "d.eml"

    call_command("export_issue", "2026-04-08", "--format", "email", "-o", str(target))

    assert dkim.verify(target.read_bytes(), dnsfunc=dkim_dns)


def test_mail_is_sent_unsigned_when_no_key_is_configured(every_mail_kind):
    for kind, raw in every_mail_kind.items():
        assert b"DKIM-Signature" not in raw.split(b"\r\n\r\n", 1)[0], kind


def test_unreadable_key_file_stops_sending_with_a_readable_error(settings, tmp_path):
    settings.DKIM_DOMAIN, settings.DKIM_SELECTOR = DKIM_DOMAIN, DKIM_SELECTOR
    settings.DKIM_PRIVATE_KEY_FILE = str(tmp_path / "missing.pem")

    with pytest.raises(ImproperlyConfigured, match="DKIM_PRIVATE_KEY_FILE"):
        signing.sign(b"From: a@daily.example.org\r\n\r\nbody\r\n")


def test_half_configured_dkim_stops_the_settings_from_loading():
    env = {**os.environ, "DKIM_DOMAIN": DKIM_DOMAIN, "SECRET_KEY": "x", "PYTHONPATH": str(ROOT)}
    env.pop("DKIM_SELECTOR", None)
    env.pop("DKIM_PRIVATE_KEY_FILE", None)
    done = subprocess.run(
        [sys.executable, "-c", "import aidaily.settings"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode != 0
    assert "DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE together" in done.stderr
