"""Refuse a NUL byte anywhere in the URL before any view sees it.

PostgreSQL cannot store or compare a text value holding NUL, so a search term, a token in the
path or an admin autocomplete term carrying one reached the database as a 500. No URL of the
site needs the byte: one check here covers every view, the admin's included.
"""

from django.http import HttpResponseBadRequest

NUL = "\x00"


def has_nul(request) -> bool:
    """Whether the decoded path, or any name or value of the query string, holds a NUL byte."""
    if NUL in request.path_info or NUL in request.path:
        return True
    return any(
        NUL in name or any(NUL in value for value in values) for name, values in request.GET.lists()
    )


class RejectNulBytesMiddleware:
    """Answer 400 to a request whose path or query string holds a NUL byte."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            return HttpResponseBadRequest(
                "Bad request: NUL byte in the URL.", content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
