"""The interface language is announced to browsers and to shared caches."""

import pytest
from django.utils import timezone

from ...factories import publishable_issue

pytestmark = pytest.mark.django_db


def test_issue_page_varies_on_the_language_cookie_and_declares_the_interface_language(client):
    issue = publishable_issue(status="published", published_at=timezone.now())
    chinese = client.get(issue.get_absolute_url())
    assert "Cookie" in chinese["Vary"]
    assert '<html lang="zh-hans">' in chinese.content.decode()

    client.cookies["django_language"] = "en"
    english = client.get(issue.get_absolute_url())
    assert '<html lang="en">' in english.content.decode()
    assert 'lang="zh-Hans"' in english.content.decode()  # the article keeps its own language
