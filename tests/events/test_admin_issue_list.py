"""The issue list in the admin: each issue's counts of events, signals and papers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import EventFactory, IssueFactory, PaperFactory, SocialSignalFactory

pytestmark = pytest.mark.django_db


def issue_with(events: int, signals: int, papers: int):
    issue = IssueFactory()
    for rank in range(1, events + 1):
        EventFactory(issue=issue, rank=rank)
    for rank in range(1, signals + 1):
        SocialSignalFactory(issue=issue, rank=rank)
    for rank in range(1, papers + 1):
        PaperFactory(issue=issue, rank=rank)
    return issue


def changelist_queries(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:events_issue_changelist"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_list_shows_each_issues_item_counts(editor_client):
    issue_with(3, 2, 1)
    issue_with(0, 0, 0)
    html, _count = changelist_queries(editor_client)
    assert "3 / 2 / 1" in html
    assert "0 / 0 / 0" in html


def test_the_list_costs_the_same_queries_for_six_issues_as_for_two(
    editor_client, django_assert_num_queries
):
    issue_with(2, 1, 1)
    issue_with(1, 0, 2)
    _html, for_two = changelist_queries(editor_client)
    for _ in range(4):
        issue_with(3, 2, 1)
    with django_assert_num_queries(for_two):
        response = editor_client.get(reverse("admin:events_issue_changelist"))
    assert response.content.decode().count("3 / 2 / 1") == 4
