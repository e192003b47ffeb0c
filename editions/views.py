"""The public files of a published issue, served only while they match what the issue shows."""

from datetime import date as date_type

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from events.models import Issue

from . import services
from .models import Edition
from .pages import FILE_NAMES, KIND_OF_FILE

RETRY_SECONDS = 60


@require_safe
def edition_file(request, date, name):
    """The PDF, long image or card; while one is being made again (after a correction) the card
    falls back to the site's default and the others answer 503 with Retry-After."""
    kind = KIND_OF_FILE.get(name)
    try:
        day = date_type.fromisoformat(date)
    except ValueError:
        raise Http404 from None
    issue = Issue.objects.published().filter(date=day).first() if kind else None
    if issue is None:
        raise Http404
    edition = services.current_edition(issue, kind)
    if edition is None:
        return _not_ready(kind)
    return file_response(edition, attachment=kind == Edition.Kind.PDF)


def file_response(edition: Edition, *, attachment: bool) -> FileResponse:
    """The stored file, named for the reader, revalidated on every use (it can be replaced)."""
    content_type = "application/pdf" if edition.kind == Edition.Kind.PDF else "image/png"
    response = FileResponse(
        edition.file.open("rb"),
        content_type=content_type,
        as_attachment=attachment,
        filename=f"aidaily-{edition.issue.date:%Y-%m-%d}-{FILE_NAMES[edition.kind]}",
    )
    response["ETag"] = f'"{edition.fingerprint[:32]}"'
    patch_cache_control(response, public=True, no_cache=True)
    return response


def _not_ready(kind: str) -> HttpResponse:
    if kind == Edition.Kind.CARD:
        response = HttpResponseRedirect(static("aidaily/share-default.png"))
    else:
        response = HttpResponse(
            _("这个文件正在按最新内容重新生成，请稍后再试。"),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_SECONDS)
    patch_cache_control(response, no_store=True)
    return response
