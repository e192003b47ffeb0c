"""Public archive views. (Minimal until the public archive lands.)"""

from datetime import date as date_type

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from .models import Issue


def latest_issue(request):
    issue = Issue.objects.published().order_by("-date").first()
    if issue is None:
        return render(request, "events/empty.html")
    return redirect(issue)


def issue_page(request, date):
    try:
        day = date_type.fromisoformat(date)
    except ValueError as exc:
        raise Http404 from exc
    issue = get_object_or_404(Issue.objects.with_items(), date=day)
    preview = not issue.is_public
    if preview and not request.user.is_staff:
        raise Http404
    return render(request, "events/issue.html", {"issue": issue, "preview": preview})
