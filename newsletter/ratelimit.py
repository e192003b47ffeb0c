"""A fixed-window counter per client address (aidaily.clientaddress), in the cache shared by
all web processes."""

from django.conf import settings
from django.core.cache import cache

from aidaily.clientaddress import client_address


def allow(request, *, scope: str) -> bool:
    """Count one attempt from this client; False once it exceeds the configured limit."""
    key = f"ratelimit:{scope}:{client_address(request)}"
    window = settings.NEWSLETTER_SUBSCRIBE_WINDOW
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= settings.NEWSLETTER_SUBSCRIBE_LIMIT
