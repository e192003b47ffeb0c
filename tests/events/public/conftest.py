import pytest
from django.core.cache import cache

from .sample import build_sample_issue


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no cached pages (the cache is process-wide)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sample_issue(db):
    return build_sample_issue()
