"""`python manage.py demo`: what a newcomer sees after `make run`."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from events.models import Issue
from sources.models import Snapshot
from verification.models import PUBLISHABLE_STATUSES

pytestmark = pytest.mark.django_db


def run_demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_publishes_the_sample_with_evidence_and_prints_logins_once(client):
    output = run_demo()
    assert "analyst  / " in output and "editor   / " in output
    published = Issue.objects.get(status=Issue.Status.PUBLISHED)
    assert str(published.date) == "2026-04-08"
    items = published.items()
    assert len(items) == 11
    assert all(item.verification_status in PUBLISHABLE_STATUSES for item in items)
    cited = {c.source_id for item in items for c in item.citations.all()}
    captured = set(
        Snapshot.objects.filter(status="succeeded", source_id__in=cited).values_list(
            "source_id", flat=True
        )
    )
    assert captured == cited
    draft = Issue.objects.get(status=Issue.Status.DRAFT)
    assert str(draft.date) == "2026-04-09"

    page = client.get("/", follow=True)
    assert page.status_code == 200
    assert published.display_title in page.content.decode()

    # Through the admin's login form, as a newcomer does (and as the login throttle sees it).
    password = output.split("analyst  / ")[1].split()[0]
    login = client.post("/admin/login/", {"username": "analyst", "password": password})
    assert login.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_demo_is_idempotent_and_keeps_passwords():
    run_demo()
    counts = (Issue.objects.count(), Snapshot.objects.count(), get_user_model().objects.count())
    second = run_demo()
    assert "exist already" in second
    assert "/ " not in second.split("exist already")[0]
    assert (
        Issue.objects.count(),
        Snapshot.objects.count(),
        get_user_model().objects.count(),
    ) == counts
