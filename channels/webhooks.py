"""Generic outgoing webhooks on publication, correction and withdrawal.

The body is JSON: the event, the issue's URL, date, title and summary, and for a correction its
text, for a withdrawal its reason. `X-Aidaily-Signature: t=<unix time>,v1=<hex>` carries
HMAC-SHA256 of `f"{t}."` followed by the body, keyed by the endpoint's secret, so a receiver can
check the body is ours and recent; `X-Aidaily-Delivery` is the same on every retry of one
delivery, so a receiver can ignore repeats. That is why a request without an answer is simply
sent again, with the ledger's exponential backoff, until the endpoint answers 2xx.
"""

import hashlib
import hmac
import time

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import http
from .models import WebhookEndpoint
from .outcomes import Failed, Retry
from .registry import webhooks_enabled
from .summary import dumps, summarise

EVENTS = {"publish": "issue.published", "correct": "issue.corrected", "withdraw": "issue.withdrawn"}
SIGNATURE_HEADER = "X-Aidaily-Signature"


def is_enabled() -> bool:
    return webhooks_enabled()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for this body."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def payload(delivery) -> dict:
    summary = summarise(delivery)
    body = {
        "event": EVENTS[delivery.kind],
        "delivery": delivery.key,
        "issue": {
            "url": summary.url,
            "date": summary.date,
            "title": summary.title,
            "summary": summary.summary,
        },
    }
    if delivery.kind == "correct":
        body["correction"] = summary.notice
    elif delivery.kind == "withdraw":
        body["reason"] = summary.notice
    return body


def send(delivery) -> dict:
    """POST the signed body; 2xx is delivered, 408/429/5xx come back later, other codes fail."""
    endpoint = delivery.endpoint
    body = dumps(payload(delivery))
    timestamp = str(int(time.time()))
    headers = {
        SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
        "X-Aidaily-Event": EVENTS[delivery.kind],
        "X-Aidaily-Delivery": delivery.key,
    }
    response = http.post_json(endpoint.url, body, headers=headers)
    if 200 <= response.status < 300:
        return {"status": response.status}
    message = f"HTTP {response.status}"
    if response.status in (408, 429) or response.status >= 500:
        raise Retry(message)
    raise Failed(message)


def validate_url(url: str) -> None:
    """Refuse an endpoint the fetcher would refuse: not http(s), or a private address."""
    try:
        http.check(url)
    except http.Refused as exc:
        raise ValidationError(
            _("这个地址不能用作 Webhook：%(reason)s") % {"reason": exc}, code="refused_url"
        ) from exc
    except http.NotSent:
        pass  # a name that does not resolve now may later; sending checks it again


def preflight(issue) -> list[tuple[str, str]]:
    """Every active endpoint must still point where the fetcher's rules allow."""
    found = []
    for endpoint in WebhookEndpoint.objects.filter(active=True):
        try:
            http.check(endpoint.url, lookup=False)
        except http.Refused as exc:
            found.append(
                (
                    _("Webhook“%(name)s”的地址被拒绝：%(reason)s")
                    % {"name": endpoint.name, "reason": exc},
                    _("改成公网地址，或停用这个端点。"),
                )
            )
        except http.NotSent:
            pass
    return found
