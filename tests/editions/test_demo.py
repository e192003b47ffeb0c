"""`manage.py demo` makes the sample issue's files, and says so when a renderer is missing."""

from io import StringIO

import pytest
from django.core.management import call_command

from editions import services
from editions.models import Edition
from editions.rendering import RendererUnavailable

pytestmark = pytest.mark.django_db(transaction=True)


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_the_demo_makes_the_sample_issues_files(settings, fake_renderers):
    settings.EDITIONS_ON_PUBLISH = True
    output = run_demo()

    assert Edition.objects.filter(state=Edition.State.READY).count() == 3
    assert "aidaily-2026-04-08-pdf-" in output and "1200×630" in output
    again = run_demo()  # idempotent: nothing made twice
    assert fake_renderers == ["pdf", "long", "card"]
    assert "aidaily-2026-04-08-card-" in again


def test_without_chromium_the_demo_says_so_and_goes_on(settings, fake_renderers, monkeypatch):
    settings.EDITIONS_ON_PUBLISH = True

    def missing(issue):
        raise RendererUnavailable("Chromium is not installed (apt-get install chromium)")

    monkeypatch.setitem(services.RENDERERS, Edition.Kind.CARD, missing)
    output = run_demo()

    assert "Chromium is not installed" in output
    assert "Draft for the next day" in output  # the rest of the demo still ran
    states = dict(Edition.objects.values_list("kind", "state"))
    assert states == {"pdf": "ready", "long": "ready", "card": "failed"}
