"""The page a throttled admin login gets: what happened, for how long, and who can lift it."""

import ipaddress

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .clientaddress import client_address

USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """Render the lockout page (429) in the admin's look, in place of the login form."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    context = {**admin.site.each_context(request), "title": _("登录已暂时锁定"), "minutes": minutes}
    return render(request, "admin/lockout.html", context, status=429)


def attempt_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username axes records, cut to its column: Django's login form does not cap the length,
    and a longer one made the attempt's INSERT fail (a 500 on PostgreSQL)."""
    field = str(settings.AXES_USERNAME_FORM_FIELD)
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(field)
    if username is None:
        return None
    return str(username).replace("\x00", "")[:USERNAME_LENGTH]


def attempt_address(request: HttpRequest) -> str | None:
    """The address axes records: the client the trusted proxies saw, or None when the request
    carries no address (a login made in code, e.g. force_login), which its column cannot hold."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
