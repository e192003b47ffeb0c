"""The demo newsroom: two users, the sample issue published with its evidence, tomorrow's draft.

Everything runs offline: the sample's sources are captured from files shipped in
events/demo/evidence/ through the same storage path as a real capture, so the published issue
has WARC files, extracted text and archived copies on a machine without internet.
"""

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from sources.inference import infer_source
from sources.models import Snapshot, Source
from sources.normalise import normalise_url
from sources.pipeline import capture_from_bytes
from verification import services as verification
from verification.models import VerificationStatus

from .. import workflow
from ..dailyformat.importer import import_bytes
from ..models import Issue
from ..roles import ANALYST, CHIEF_EDITOR, ensure_roles

DEMO_DIR = Path(__file__).resolve().parent
SAMPLE = DEMO_DIR / "sample-issue.txt"
DRAFT = DEMO_DIR / "draft-2026-04-09.txt"
EVIDENCE = DEMO_DIR / "evidence"
DEMO_USERS = {"analyst": ANALYST, "editor": CHIEF_EDITOR}
DEMO_READER = "reader@example.com"
DEFAULT_NOTE = "已对照存档的原始来源逐条核对。"


@dataclass
class DemoReport:
    passwords: dict = field(default_factory=dict)
    published: Issue | None = None
    draft: Issue | None = None
    created: list = field(default_factory=list)


def load_demo(*, reset_passwords: bool = False) -> DemoReport:
    """Create whatever part of the demo is missing; running it again changes nothing."""
    ensure_roles()
    report = DemoReport()
    users = {name: _user(name, role, report, reset_passwords) for name, role in DEMO_USERS.items()}
    _demo_reader()
    report.published = _published_sample(users, report)
    report.draft = _draft(users, report)
    from intake.demo import load_demo_feeds  # intake sits below events: its demo feeds

    load_demo_feeds()
    return report


def _demo_reader() -> None:
    """A confirmed reader, so publishing the sample writes a digest under var/mail/.

    Looked up by name: the newsletter app sits above events, which must not import it.
    """
    if not django_apps.is_installed("newsletter"):
        return
    subscriber = django_apps.get_model("newsletter", "Subscriber")
    subscriber.objects.get_or_create(
        email=DEMO_READER, defaults={"status": "active", "confirmed_at": timezone.now()}
    )


def _user(username, role, report, reset_password):
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "email": f"{username}@aidaily.local"}
    )
    if created or reset_password:
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        report.passwords[username] = password
    user.groups.add(Group.objects.get(name=role))
    return user


def _parsed(path: Path):
    from ..dailyformat.parser import decode, parse

    return parse(decode(path.read_bytes()))


def capture_shipped_evidence(path: Path) -> list[Source]:
    """Create the sources a demo file cites and capture each from the shipped evidence files.

    Sources exist, captured, before the file is imported, so the "capture newly cited
    sources" hook finds nothing to do and the demo (and the browser test) never need the
    network. Publisher and kind are inferred exactly as the importer would.
    """
    manifest = json.loads((EVIDENCE / "manifest.json").read_text())
    parsed = _parsed(path)
    cited = [
        source
        for item in (*parsed.events, *parsed.signals, *parsed.papers)
        for source in item.sources
    ]
    sources = []
    for cited_source in cited:
        url = normalise_url(cited_source.url)
        guess = infer_source(cited_source.label, cited_source.url)
        source, _created = Source.objects.get_or_create(
            url=url,
            defaults={"publisher": guess.publisher, "title": guess.title, "kind": guess.kind},
        )
        entry = manifest.get(url)
        if entry and not source.snapshots.filter(status=Snapshot.Status.SUCCEEDED).exists():
            capture_from_bytes(
                source, (EVIDENCE / entry["file"]).read_bytes(), content_type=entry["content_type"]
            )
        sources.append(source)
    return sources


def _import_with_evidence(path: Path, analyst) -> Issue:
    capture_shipped_evidence(path)
    return import_bytes(path.read_bytes(), user=analyst).issue


def _published_sample(users, report) -> Issue:
    date = _parsed(SAMPLE).date
    issue = Issue.objects.filter(date=date).first()
    if issue is None:
        issue = _import_with_evidence(SAMPLE, users["analyst"])
        report.created.append(issue)
    if issue.status == Issue.Status.DRAFT:
        for item in issue.items():
            _verify(item, users["analyst"])
        workflow.perform(issue, "submit", by=users["analyst"])
    if issue.status == Issue.Status.IN_REVIEW:
        workflow.perform(issue, "approve", by=users["editor"], comment="演示：核实完整，批准。")
    if issue.status in (Issue.Status.APPROVED, Issue.Status.SCHEDULED):
        workflow.perform(issue, "publish", by=users["editor"])
    return issue


def _verify(item, analyst) -> None:
    """Verify an item on the snapshots of the sources it cites, as an analyst would."""
    if item.verification_status != VerificationStatus.UNVERIFIED:
        return
    evidence = list(
        Snapshot.objects.filter(
            source__in=[c.source for c in item.citations.all()],
            status=Snapshot.Status.SUCCEEDED,
        )
    )
    note = item.verification_note or DEFAULT_NOTE
    try:
        verification.verify(
            item, by=analyst, outcome=VerificationStatus.VERIFIED, note=note, evidence=evidence
        )
    except verification.VerificationRefused:
        # A single non-official source: honestly only partly verified.
        verification.verify(
            item,
            by=analyst,
            outcome=VerificationStatus.PARTIALLY_VERIFIED,
            note=note,
            evidence=evidence,
        )


def _draft(users, report) -> Issue:
    date = _parsed(DRAFT).date
    issue = Issue.objects.filter(date=date).first()
    if issue is None:
        issue = _import_with_evidence(DRAFT, users["analyst"])
        report.created.append(issue)
    return issue
