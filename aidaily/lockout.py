"""The page a throttled admin login gets: what happened, for how long, and who can lift it."""

from axes.helpers import get_cool_off
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """Render the lockout page (429) in the admin's look, in place of the login form."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    context = {**admin.site.each_context(request), "title": _("登录已暂时锁定"), "minutes": minutes}
    return render(request, "admin/lockout.html", context, status=429)
