"""A NUL byte in a URL is refused with a clean 400: PostgreSQL cannot store or compare one."""

import pytest

pytestmark = pytest.mark.django_db

NUL_URLS = [
    "/search/?q=a%00b",
    "/search/?q%00=a",
    "/search/?q=ok&q=a%00b",
    "/unsubscribe/%00/",
    "/admin/autocomplete/?app_label=events&model_name=event&field_name=tags&term=a%00b",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_byte_in_the_path_or_query_is_a_clean_400_on_postgresql(postgres, editor_client, url):
    response = editor_client.get(url)

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_nul_byte_is_refused_before_any_view_runs(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/unsubscribe/a%00b/")

    assert response.status_code == 400


def test_ordinary_search_still_answers(client):
    assert client.get("/search/?q=openai").status_code == 200


def test_one_click_unsubscribe_post_with_a_nul_token_is_a_clean_400(client):
    assert client.post("/unsubscribe/%00/").status_code == 400
