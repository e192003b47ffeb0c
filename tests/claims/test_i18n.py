"""The claims app's own English catalog is complete, compiled, and used on its pages."""

import gettext

import pytest
from django.urls import reverse

from ..aidaily import test_i18n as project_i18n

PO = project_i18n.BASE_DIR / "claims" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _literals(monkeypatch, folders):
    monkeypatch.setattr(project_i18n, "CODE_DIRS", folders)
    return project_i18n._literal_msgids()


def test_every_chinese_string_of_the_claims_app_is_translated_and_compiled(monkeypatch):
    catalog = project_i18n.read_po(PO)
    translated = {
        (e["msgctxt"], e["msgid"]) if "msgctxt" in e else e["msgid"]
        for e in catalog
        if all(e["msgstr"].values())
    }
    own = _literals(monkeypatch, ("claims",)) - _literals(monkeypatch, ())
    assert own and sorted(own - translated, key=str) == []
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        e["msgid"]
        for e in catalog
        if "msgctxt" not in e and compiled.gettext(e["msgid"]) != e["msgstr"][0]
    ]
    assert stale == []


@pytest.mark.django_db
def test_the_claims_panel_reads_in_english_with_the_language_cookie(analyst_client, event):
    from django.conf import settings

    analyst_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = analyst_client.get(reverse("admin:events_event_change", args=[event.pk])).content
    assert "Claims and acceptances" in html.decode()
    assert "Supported" in html.decode()
