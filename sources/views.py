from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Snapshot


def snapshot_view(request, pk):
    snapshot = get_object_or_404(Snapshot, pk=pk, status=Snapshot.Status.SUCCEEDED)
    return HttpResponse(snapshot.page_title or snapshot.source.url, content_type="text/plain")
