"""Apps above events add to the issue's admin page through the registry, never by re-registering."""

import pytest
from django.contrib import admin
from django.urls import reverse

from events.admin.issue import IssueAdmin
from events.admin.panels import IssueContribution, contribute
from events.models import Issue
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


def test_the_issue_page_is_events_own_admin_with_the_digest_contributed():
    registered = admin.site._registry[Issue]
    assert type(registered) is IssueAdmin
    names = {type(c).__name__ for c in registered.contributions()}
    assert "DigestOnIssuePage" in names


def test_a_contribution_registered_twice_is_asked_once():
    from events.admin import panels

    @contribute
    class Extra(IssueContribution):
        pass

    contribute(Extra)  # its module imported a second time
    try:
        asked = [type(c) for c in admin.site._registry[Issue].contributions()]
        assert asked.count(Extra) == 1
    finally:
        panels._contributions.remove(Extra)


def test_the_digest_panel_and_its_buttons_reach_the_issue_page(admin_client):
    issue = IssueFactory()
    page = admin_client.get(reverse("admin:events_issue_change", args=[issue.pk]))
    assert page.status_code == 200
    assert reverse("admin:events_issue_email_preview", args=[issue.pk, "html"]) in page.text
