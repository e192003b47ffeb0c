"""The search page: the same few SQL statements however many issues match, and short words found."""

import datetime

import pytest
from django.urls import reverse

from .sample import build_sample_issue

pytestmark = pytest.mark.django_db

#: One statement per kind searched: events, signals, papers, issues, conclusions.
SEARCH_STATEMENTS = 5


def search_page(client, query):
    response = client.get(reverse("events:search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("query", ["算力", "Anthropic 算力", "TPU"])
def test_search_page_runs_one_statement_per_kind_however_many_issues_match(
    client, django_assert_num_queries, query
):
    build_sample_issue()
    with django_assert_num_queries(SEARCH_STATEMENTS):
        one = search_page(client, query)
    for days in range(1, 4):
        build_sample_issue(date=datetime.date(2026, 4, 8) - datetime.timedelta(days=days))

    with django_assert_num_queries(SEARCH_STATEMENTS):
        four = search_page(client, query)

    assert one.count("<mark>") < four.count("<mark>")
    assert "/issues/2026-04-05/" in four


def test_a_query_of_only_spaces_runs_no_search_statement(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        search_page(client, "   ")


@pytest.mark.parametrize("query", ["tp", "Tp", "TP"])
def test_a_two_letter_latin_word_is_found_whatever_its_case(client, query):
    build_sample_issue()

    html = search_page(client, query)

    assert "/issues/2026-04-08/#event-2" in html
    assert "<mark>TP</mark>" in html


def test_two_short_chinese_words_must_both_appear(client):
    build_sample_issue()

    assert "#event-2" in search_page(client, "算力 吉瓦")
    assert "找到 0 条结果" in search_page(client, "算力 鸵鸟")
