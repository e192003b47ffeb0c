"""Staff pages stay bounded: oversized formsets, crowded issues and huge lifetimes get a message."""

import datetime
import re

import pytest
from django.urls import reverse

from events import ranking
from events.dailyformat.importer import import_parsed
from events.dailyformat.parser import DailyFormatError, parse
from events.models import Event

from ..admin_forms import admin_form_data
from ..factories import EventFactory, IssueFactory, PaperFactory, SocialSignalFactory, TagFactory
from .dailyformat.helpers import SAMPLE

pytestmark = pytest.mark.django_db

MAX = getattr(ranking, "MAX_ITEMS_PER_SECTION", 30)


def change_url(issue):
    return reverse("admin:events_issue_change", args=[issue.pk])


def inline_formset(response, prefix):
    return next(
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == prefix
    )


def test_forged_total_forms_builds_a_bounded_formset_and_says_so(analyst_client):
    issue = IssueFactory()
    data = admin_form_data(analyst_client.get(change_url(issue)))
    data["events-TOTAL_FORMS"] = "100000"

    response = analyst_client.post(change_url(issue), data)

    assert response.status_code == 200  # the form again, with errors: nothing saved
    formset = inline_formset(response, "events")
    assert len(formset.forms) <= MAX
    assert f"{MAX}" in " ".join(formset.non_form_errors())
    assert not Event.objects.filter(issue=issue).exists()


def test_issue_with_more_items_than_a_section_holds_renders_a_bounded_page(analyst_client):
    issue = IssueFactory()
    EventFactory.create_batch(MAX + 5, issue=issue)

    response = analyst_client.get(change_url(issue))

    assert response.status_code == 200
    formset = inline_formset(response, "events")
    assert len(formset.forms) == MAX
    page = response.content.decode()
    assert f"共有 {MAX + 5} 条" in page and f"只列出前 {MAX} 条" in page


def test_crowded_issue_still_saves_the_items_it_shows(analyst_client):
    issue = IssueFactory()
    EventFactory.create_batch(MAX + 2, issue=issue)
    data = admin_form_data(analyst_client.get(change_url(issue)))
    first = Event.objects.filter(issue=issue).order_by("rank").first()
    data["events-0-title"] = "改过的标题"

    response = analyst_client.post(change_url(issue), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    first.refresh_from_db()
    assert first.title == "改过的标题"
    assert Event.objects.filter(issue=issue).count() == MAX + 2


def test_issue_with_every_section_full_still_saves(analyst_client):
    issue = IssueFactory()
    tags = TagFactory.create_batch(3)
    for factory in (EventFactory, SocialSignalFactory, PaperFactory):
        for item in factory.create_batch(MAX, issue=issue):
            item.tags.set(tags)
    data = admin_form_data(analyst_client.get(change_url(issue)))

    response = analyst_client.post(change_url(issue), data)

    assert response.status_code == 302


def test_import_refuses_a_section_with_too_many_items(db):
    parsed = parse(SAMPLE.read_text())
    parsed.events = parsed.events * (MAX // len(parsed.events) + 1)

    with pytest.raises(DailyFormatError) as refused:
        import_parsed(parsed)

    assert f"最多 {MAX} 条" in str(refused.value.errors[0].message)
    assert not Event.objects.exists()


@pytest.mark.parametrize("days", ["1000000000", "-5", "0", "15", "abc", "1e9", "9" * 5000])
def test_preview_link_lifetime_out_of_range_is_refused_with_a_message(editor_client, days):
    issue = IssueFactory()
    url = reverse("admin:events_issue_preview_link_create", args=[issue.pk])

    response = editor_client.post(url, {"days": days}, follow=True)

    assert response.status_code == 200
    assert "有效天数必须是 1 到 14 之间的整数" in response.content.decode()
    assert not issue.preview_links.exists()


@pytest.mark.parametrize("days", ["1", "14"])
def test_preview_link_lifetime_within_range_is_kept(editor_client, days):
    issue = IssueFactory()
    url = reverse("admin:events_issue_preview_link_create", args=[issue.pk])

    editor_client.post(url, {"days": days})

    link = issue.preview_links.get()
    lifetime = link.expires_at - link.created_at
    assert abs(lifetime - datetime.timedelta(days=int(days))) < datetime.timedelta(minutes=1)


def test_preview_link_created_without_days_lasts_the_default(editor_client):
    issue = IssueFactory()
    url = reverse("admin:events_issue_preview_link_create", args=[issue.pk])

    response = editor_client.post(url, follow=True)

    assert re.search(r"/preview/[^/\s<]+/", response.content.decode())
    assert issue.preview_links.count() == 1


def test_item_page_refuses_one_more_item_in_a_full_section(analyst_client):
    issue = IssueFactory()
    EventFactory.create_batch(MAX, issue=issue)

    response = analyst_client.post(
        reverse("admin:events_event_add"),
        {"issue": issue.pk, "rank": MAX + 1, "title": "多出来的一条", "occurred_on": issue.date},
    )

    assert response.status_code == 200
    assert f"已有 {MAX} 条，达到每栏上限" in response.content.decode()
    assert Event.objects.filter(issue=issue).count() == MAX


def test_forged_total_forms_on_an_item_page_builds_a_bounded_formset(analyst_client):
    from events.models import Citation

    event = EventFactory()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(analyst_client.get(url))
    (prefix,) = {
        i.formset.prefix
        for i in analyst_client.get(url).context["inline_admin_formsets"]
        if i.formset.model is Citation
    }
    data[f"{prefix}-TOTAL_FORMS"] = "100000"

    response = analyst_client.post(url, data)

    assert response.status_code == 200
    formset = inline_formset(response, prefix)
    assert len(formset.forms) <= 100
    assert "100" in " ".join(formset.non_form_errors())
