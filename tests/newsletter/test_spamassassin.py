"""SpamAssassin's verdict on every mail the project sends (local rules only, no network)."""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from events.dailyformat.importer import import_text

from ..conftest import missing_service
from ..seed import seed_text

pytestmark = pytest.mark.django_db

#: The highest score any of our mail may get; SpamAssassin's own threshold is 5.0.
MAX_SCORE = 1.0


@pytest.fixture
def spamassassin():
    path = shutil.which("spamassassin")
    if path is None:
        missing_service("spamassassin is not installed (apt-get install spamassassin)")
    return path


def spam_reports(spamassassin, messages: dict[str, bytes]) -> dict[str, tuple[float, str]]:
    """Score and rule names of each message from `spamassassin -t -L` (local tests only).

    The messages go in one mbox, so SpamAssassin loads its rules once for all of them; it may
    answer in another order, so each message's mbox "From " line carries its name.
    """
    mbox = b"".join(
        f"From {kind}@mbox.invalid Thu Jan  1 00:00:00 2026\n".encode()
        + re.sub(rb"(?m)^(>*From )", rb">\1", raw.replace(b"\r\n", b"\n"))
        + b"\n"
        for kind, raw in messages.items()
    )
    done = subprocess.run(
        [spamassassin, "-t", "-L", "--mbox"], input=mbox, capture_output=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    output = done.stdout.decode("utf-8", "replace")
    reports = {}
    for kind, report in re.findall(r"(?m)^From (\S+)@mbox\.invalid .*\n((?:.+\n)+)", output):
        status = re.search(
            r"score=(-?[\d.]+) required=\S+ tests=(.*?)\s+(?:autolearn|version)=", report, re.S
        )
        assert status, report
        reports[kind] = (
            float(status.group(1)),
            " ".join(re.split(r"[,\s]+", status.group(2).strip())),
        )
    assert reports.keys() == messages.keys(), output[-2000:]
    return reports


def test_every_mail_kind_scores_at_most_one_point(spamassassin, every_mail_kind):
    reports = spam_reports(spamassassin, every_mail_kind)
    print(reports)  # the verdicts, for a person reading the run with -s

    too_high = {kind: report for kind, report in reports.items() if report[0] > MAX_SCORE}
    assert too_high == {}, reports


def test_every_signed_mail_kind_scores_at_most_one_point(spamassassin, dkim_dns, every_mail_kind):
    reports = spam_reports(spamassassin, every_mail_kind)
    print(reports)  # the verdicts, for a person reading the run with -s

    too_high = {kind: report for kind, report in reports.items() if report[0] > MAX_SCORE}
    assert too_high == {}, reports


def test_exported_message_file_is_a_whole_message_to_spamassassin(spamassassin, settings, tmp_path):
    settings.SITE_URL = "https://daily.example.org"
    import_text(seed_text())
    target = tmp_path / "d.eml"
    call_command("export_issue", "2026-04-08", "--format", "email", "-o", str(target))

    ((score, rules),) = spam_reports(spamassassin, {"export": target.read_bytes()}).values()

    assert "MISSING_" not in rules and "NO_HEADERS_MESSAGE" not in rules, rules
    assert score <= MAX_SCORE, rules
