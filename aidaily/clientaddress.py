"""The visitor's address, as the trusted proxies in front of the site saw it.

Behind a reverse proxy REMOTE_ADDR is the proxy's, for every visitor. Each trusted proxy appends
the address it received from to X-Forwarded-For, so with N trusted proxies the Nth entry from the
right is the client's; entries further left were sent by the client and can be forged.
AIDAILY_TRUSTED_PROXY_COUNT says how many proxies to trust. The subscribe rate limit and the
login lockouts (django-axes) both key on this address.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The visitor's address: REMOTE_ADDR, or the one the trusted proxies saw."""
    remote = request.META.get("REMOTE_ADDR", "unknown")
    proxies = max(0, settings.AIDAILY_TRUSTED_PROXY_COUNT)
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:  # did not come through every trusted proxy: trust no header
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:  # a trusted proxy writes addresses; anything else is not one
        return remote
