"""Deploy checks of the newsletter: the subscribe limit needs one cache and the right address."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Each process keeps its own copy of these: a limit of N becomes N per process.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Warn when the subscribe rate limit would be counted by each process alone."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "The default cache is per-process, so each web process counts subscribe attempts "
            "alone and the limit is multiplied by the number of processes.",
            hint="Set CACHE_URL to a shared cache, e.g. rediscache://host:6379/1.",
            id="newsletter.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    """Warn when HTTPS comes from a proxy but the rate limit still keys on the proxy's address."""
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not behind_proxy or settings.AIDAILY_TRUSTED_PROXY_COUNT > 0:
        return []
    return [
        Warning(
            "SECURE_PROXY_SSL_HEADER says a proxy is in front, but AIDAILY_TRUSTED_PROXY_COUNT "
            "is 0: every visitor shares the proxy's subscribe limit.",
            hint="Set AIDAILY_TRUSTED_PROXY_COUNT to the number of proxies in front of the site.",
            id="newsletter.W002",
        )
    ]
