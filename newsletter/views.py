"""Public subscription pages and the mail provider's feedback webhook."""

import hmac
import json

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


def _authorised(request) -> bool:
    secret = settings.NEWSLETTER_WEBHOOK_SECRET
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


@csrf_exempt  # authenticated by the shared secret, not by a session
@require_POST
def feedback_webhook(request):
    """Bounces and complaints from the mail provider: JSON {type, email | message_id}."""
    if not _authorised(request):
        return HttpResponse(status=401 if settings.NEWSLETTER_WEBHOOK_SECRET else 404)
    if len(request.body) > 64 * 1024:
        return HttpResponse(status=413)
    try:
        payload = json.loads(request.body)
        kind = payload["type"]
        email = str(payload.get("email") or "")[:254]
        message_id = str(payload.get("message_id") or "")[:200]
        if kind not in ("bounce", "complaint") or not (email or message_id):
            raise ValueError(kind)
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("expected JSON {type: bounce|complaint, email|message_id}")
    subscriber = services.report_feedback(kind=kind, email=email, message_id=message_id)
    return JsonResponse({"updated": subscriber is not None})
