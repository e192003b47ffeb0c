"""The demo's published issue reads the same, byte for byte, after every known attack on it."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from events.content_guard import ContentLocked
from events.models import Issue
from sources.models import FrozenSource, Source

from ..admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(client):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    published = Issue.objects.get(status=Issue.Status.PUBLISHED)
    draft = Issue.objects.get(status=Issue.Status.DRAFT)
    return published, draft


def public_page(client, issue) -> bytes:
    cache.clear()  # rendered from the database, not from the page cache
    response = client.get(issue.get_absolute_url())
    assert response.status_code == 200
    return response.content


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def history_post(client, obj, record):
    opts = obj._meta
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, record.history_id]
    )
    page = client.get(url)
    form = page.context["adminform"].form
    data = {form.add_prefix(n): form[n].value() for n in form.fields}
    return client.post(url, {k: v for k, v in data.items() if v not in (None, "")})


@pytest.mark.parametrize("username", ["analyst", "editor"])
def test_a_history_revert_leaves_the_published_page_as_it_was(client, demo, username):
    published, _draft = demo
    before = public_page(client, published)
    login(client, username)
    for obj in (published, published.events.first()):
        record = obj.history.order_by("history_date", "history_id").first()
        assert history_post(client, obj, record).status_code == 403
    client.logout()
    assert public_page(client, published) == before
    assert Issue.objects.get(pk=published.pk).status == Issue.Status.PUBLISHED


@pytest.mark.parametrize("username", ["analyst", "editor"])
def test_retargeting_a_source_in_the_admin_leaves_the_published_page_as_it_was(
    client, demo, username
):
    published, _draft = demo
    before = public_page(client, published)
    source = Source.objects.filter(citations__issue=published).order_by("pk").first()
    login(client, username)
    url = reverse("admin:sources_source_change", args=[source.pk])
    data = admin_form_data(client.get(url))
    client.post(url, {**data, "url": "https://evil.example/", "kind": "official"})
    client.logout()
    assert public_page(client, published) == before


def test_retargeting_a_source_by_orm_save_leaves_the_published_page_as_it_was(client, demo):
    published, _draft = demo
    before = public_page(client, published)
    for source in Source.objects.filter(citations__issue=published).distinct():
        source.url, source.kind = "https://evil.example/" + str(source.pk), "official"
        with pytest.raises(FrozenSource):
            source.save()
    assert public_page(client, published) == before


def test_moving_an_item_to_another_issue_leaves_the_published_page_as_it_was(client, demo):
    published, draft = demo
    before = public_page(client, published)
    event = published.events.first()
    login(client, "editor")
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.post(url, {"issue": draft.pk, "rank": 9, "title": event.title})
    assert response.status_code == 403
    client.logout()
    event.issue, event.rank = draft, 9
    with pytest.raises(ContentLocked), transaction.atomic():
        event.save()
    assert public_page(client, published) == before
    assert published.events.filter(pk=event.pk).exists()
