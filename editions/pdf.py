"""The A4 PDF edition: the issue page's context through a print template, set by WeasyPrint.

WeasyPrint embeds the subset of each font it uses (Noto CJK from Debian's fonts-noto-cjk), so the
text stays searchable and copyable; links stay links, and each source's address is a footnote.
"""

from django.conf import settings
from django.template.loader import render_to_string

from .rendering import Rendered, RendererUnavailable, RenderFailed, file_context


def print_html(issue) -> str:
    """The print template filled in: what WeasyPrint lays out."""
    return render_to_string("editions/print.html", file_context(issue))


def render_pdf(issue) -> Rendered:
    """The issue as an A4 PDF."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: the package without Pango's libraries
        raise RendererUnavailable(f"WeasyPrint: {error}") from error
    html = print_html(issue)
    try:
        # Nothing is fetched: the template is self-contained and links are only written out.
        content = HTML(string=html, base_url=settings.SITE_URL, url_fetcher=_no_fetch).write_pdf()
    except Exception as error:  # WeasyPrint raises many kinds; the edition records which
        raise RenderFailed(f"WeasyPrint: {error}") from error
    return Rendered(content=content, extension="pdf", content_type="application/pdf")


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"the print edition loads nothing from outside ({url[:80]})")
