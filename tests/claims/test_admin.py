"""Where editors see claims: the item page, the claims page, and accepting a figure there."""

import pytest
from django.urls import reverse

from claims import services
from claims.models import Claim, ClaimLog

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def change_url(item):
    return reverse("admin:events_event_change", args=[item.pk])


def claims_url(item):
    return reverse("admin:events_event_claims", args=[item.pk])


def test_the_item_page_shows_each_figure_with_its_highlighted_passage(analyst_client, event):
    page = analyst_client.get(change_url(event))
    assert page.status_code == 200
    html = page.content.decode()
    assert "1220 亿美元" in html
    assert "<mark>122 billion US dollars</mark>" in html
    snapshot = event.citations.get().source.snapshots.get()
    link = f"/snapshots/{snapshot.pk}/page/#:~:text="
    assert link in html
    assert "有依据" in html


def test_an_unsupported_figure_is_marked_on_the_item_page(analyst_client, event):
    event.key_facts = "公司月收入约 90 亿美元。"
    event.save()
    html = analyst_client.get(change_url(event)).content.decode()
    assert "claim-row-unsupported" in html and "约 90 亿美元" in html
    assert "引用来源的快照中没有与之相符的原文。" in html


def test_an_editor_accepts_a_figure_by_hand_with_a_note_and_it_is_logged(analyst_client, event):
    event.key_facts = "公司月收入约 90 亿美元。"
    event.save()
    claim = next(c for c in services.refresh_item(event) if c.text == "约 90 亿美元")
    note = "<script>alert(1)</script>年报第 3 页"
    response = analyst_client.post(
        claims_url(event), {"claim": claim.pk, "action": "accept", "note": note}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.is_accepted and claim.accepted_note == note
    assert ClaimLog.objects.get().action == "accepted"

    page = analyst_client.get(claims_url(event)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;年报第 3 页" in page


@pytest.mark.parametrize(
    "data",
    [
        {"action": "accept", "note": "ok"},  # no claim
        {"claim": "abc", "action": "accept", "note": "ok"},
        {"claim": "1", "action": "delete", "note": "ok"},
        {"claim": "1", "action": "accept", "note": ""},
        {"claim": "1", "action": "accept", "note": "x" * 2001},
    ],
)
def test_malformed_acceptances_change_nothing(analyst_client, event, data):
    claim = services.refresh_item(event)[0]
    data = {k: (str(claim.pk) if k == "claim" and v == "1" else v) for k, v in data.items()}
    response = analyst_client.post(claims_url(event), data)
    assert response.status_code == 200
    assert not Claim.objects.filter(accepted_at__isnull=False).exists()
    assert not ClaimLog.objects.exists()


def test_a_claim_of_another_item_cannot_be_accepted_through_this_page(analyst_client, event):
    from ..factories import EventFactory

    other = EventFactory(issue=event.issue, title="另一条 1000 家")
    (foreign,) = services.refresh_item(other)
    response = analyst_client.post(
        claims_url(event), {"claim": foreign.pk, "action": "accept", "note": "ok"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert not foreign.is_accepted


def test_only_those_who_verify_open_the_claims_page(client, event):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(claims_url(event)).status_code == 403
    assert client.post(claims_url(event), {"action": "accept"}).status_code == 403
    client.logout()
    assert client.get(claims_url(event)).status_code == 302  # to the login page


def test_the_verification_queue_lists_each_item_figures_with_their_passages(analyst_client, event):
    event.key_facts = "公司月收入约 90 亿美元。"
    event.save()
    services.refresh_item(event)
    html = analyst_client.get(reverse("admin:events_issue_verification_queue")).content.decode()
    assert "<mark>122 billion US dollars</mark>" in html
    assert "claim-row-unsupported" in html and "约 90 亿美元" in html
