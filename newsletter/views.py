"""Public subscription pages and the mail provider's feedback webhook."""

import hmac
import json
import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import ratelimit, services
from .forms import SubscribeForm


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """Double opt-in; the answer, and the work before it, is the same for every address."""
    form = SubscribeForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, scope="subscribe"):
            return render(request, "newsletter/rate_limited.html", status=429)
        if form.is_valid():
            if not form.cleaned_data["website"]:  # bots fill the honeypot; they get the same page
                services.request_subscription(email=form.cleaned_data["email"])
            return render(request, "newsletter/check_inbox.html")
    return render(request, "newsletter/subscribe.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners open links); only the POST confirms."""
    subscriber = services.subscriber_for_confirmation(token)
    if subscriber is None:
        return render(request, "newsletter/invalid_link.html", status=400)
    if request.method == "POST":
        services.confirm(subscriber)
        return render(request, "newsletter/confirmed.html")
    return render(request, "newsletter/confirm.html")


@never_cache
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a button and never unsubscribes; any POST (form or one-click) unsubscribes."""
    if request.method == "POST":
        if not services.unsubscribe(token=token):
            return render(request, "newsletter/invalid_link.html", status=400)
        return render(request, "newsletter/unsubscribed.html")
    known = services.Subscriber.objects.filter(token=token).exists()
    if not known:
        return render(request, "newsletter/invalid_link.html", status=400)
    return render(request, "newsletter/unsubscribe.html")


#: A report is one flat object; providers may add a small object or two, never deep trees.
MAX_REPORT_BYTES = 64 * 1024
MAX_REPORT_DEPTH = 3
JSON_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
BAD_REPORT = "expected JSON {type: bounce|complaint, email|message_id}"


def _authorised(request) -> bool:
    """Exactly "Authorization: Bearer <secret>", compared in constant time."""
    secret = settings.NEWSLETTER_WEBHOOK_SECRET
    given = request.headers.get("Authorization", "")
    return bool(secret) and hmac.compare_digest(given.encode(), f"Bearer {secret}".encode())


class BadReport(ValueError):
    """A report this webhook will not act on; the message says why."""


def _nesting(text: str) -> int:
    """How deeply arrays and objects nest, counted without parsing (so without recursion)."""
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _report(body: bytes) -> tuple[str, str, str]:
    """(type, email, message_id) of a report body; BadReport, or ValueError from the decoders."""
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if _nesting(text) > MAX_REPORT_DEPTH:
        raise BadReport(f"JSON nested deeper than {MAX_REPORT_DEPTH} levels")
    payload = json.loads(text)
    if not isinstance(payload, dict):
        raise BadReport(BAD_REPORT)
    values = [payload.get(key) for key in ("type", "email", "message_id")]
    kind, email, message_id = ("" if value is None else value for value in values)
    if not all(isinstance(value, str) for value in (kind, email, message_id)):
        raise BadReport(BAD_REPORT)
    if kind not in ("bounce", "complaint") or not (email or message_id):
        raise BadReport(BAD_REPORT)
    return kind, email[:254], message_id[:200]


@csrf_exempt  # authenticated by the shared secret, not by a session
@require_POST
def feedback_webhook(request):
    """Bounces and complaints from the mail provider: JSON {type, email | message_id}."""
    if not _authorised(request):
        return HttpResponse(status=401 if settings.NEWSLETTER_WEBHOOK_SECRET else 404)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_REPORT_BYTES:  # refused before reading
        return HttpResponse(status=413)
    if len(request.body) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        kind, email, message_id = _report(request.body)
    except BadReport as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    except ValueError:  # not UTF-8, or not JSON
        return HttpResponseBadRequest(BAD_REPORT, content_type="text/plain; charset=utf-8")
    subscriber = services.report_feedback(kind=kind, email=email, message_id=message_id)
    return JsonResponse({"updated": subscriber is not None})
