"""The PDF edition as its readers' tools see it: poppler's pdftotext and pdffonts, pypdf's links."""

import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from editions import services
from editions.models import Edition
from editions.pdf import print_html
from events import workflow
from events.models import Citation, Issue
from events.rendering.labels import SECTION_LABELS

from ..factories import ChiefEditorFactory, publishable_issue
from .conftest import need, pdf_text

pytestmark = pytest.mark.django_db
ZH = SECTION_LABELS["zh-hans"]


def make_pdf(issue) -> Edition:
    (edition,) = services.generate(issue_id=issue.pk, kinds=[Edition.Kind.PDF])
    assert edition.state == Edition.State.READY, edition.error
    return edition


def source_urls(issue) -> set[str]:
    return set(Citation.objects.filter(issue=issue).values_list("source__url", flat=True))


def test_the_pdf_has_every_section_every_source_and_its_fonts_embedded(
    sample_issue, real_renderers
):
    edition = make_pdf(sample_issue)
    text = pdf_text(edition.file.path)

    headings = [ZH["overview"], ZH["conclusions"], ZH["business"], ZH["signals"], ZH["papers"]]
    headings.append(ZH["events"].format(n=sample_issue.events.count()))
    for heading in headings:
        assert heading in text
    # A footnote's long address wraps over lines: compare without the line breaks.
    joined = "".join(text.split())
    urls = source_urls(sample_issue)
    assert urls and all(url in joined for url in urls)
    links = {
        annotation.get_object()["/A"]["/URI"]
        for page in PdfReader(edition.file.path).pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object()
    }
    assert urls <= links
    assert "已核实" in text  # the verification note of each item
    fonts = subprocess.run(
        [need("pdffonts"), edition.file.path], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    assert any("CJK" in line for line in fonts)


def test_a_correction_shows_in_the_footer_of_every_page_once_the_pdf_is_made_again(
    sample_issue, real_renderers, settings, django_capture_on_commit_callbacks
):
    settings.EDITIONS_ON_PUBLISH = True
    first = make_pdf(sample_issue)
    assert "最近更正" not in pdf_text(first.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(
            sample_issue, by=ChiefEditorFactory(), text="第 2 条的融资金额应为 1220 亿美元。"
        )

    edition = Edition.objects.get(issue=sample_issue, kind=Edition.Kind.PDF)
    assert edition.state == Edition.State.READY and edition.fingerprint != first.fingerprint
    pages = len(PdfReader(edition.file.path).pages)
    for page in range(1, pages + 1):
        # The footer's two boxes (note and page number) are the page's last lines.
        footer = "".join(pdf_text(edition.file.path, page=page).strip().splitlines()[-4:])
        assert "最近更正" in footer and "融资金额应为" in footer, (page, footer)


def test_issue_fields_are_escaped_in_the_print_template(db):
    issue = publishable_issue(
        title='<script>alert("t")</script>日报',
        overview="<img src=x onerror=alert(1)> [x](javascript:alert(2))",
        coverage_note="<b onmouseover=alert(3)>窗口</b>",
        published=True,
    )
    event = issue.events.get()
    html = print_html(Issue.objects.for_issue_page().get(pk=issue.pk))

    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<img" not in html and 'href="javascript' not in html
    assert "<b onmouseover" not in html
    assert event.title in html


def test_export_issue_writes_the_pdf_to_a_file_and_refuses_stdout(
    sample_issue, real_renderers, tmp_path
):
    target = tmp_path / "issue.pdf"
    call_command("export_issue", "2026-04-08", "--format", "pdf", "-o", str(target))

    assert target.read_bytes().startswith(b"%PDF")
    assert sample_issue.display_title in pdf_text(target)
    with pytest.raises(CommandError, match="-o"):
        call_command("export_issue", "2026-04-08", "--format", "pdf")


def test_an_english_issue_is_printed_with_english_labels(db, real_renderers):
    issue = publishable_issue(published=True, language="en", title="AI Frontier Daily test")

    text = pdf_text(make_pdf(Issue.objects.get(pk=issue.pk)).file.path)

    for label in ("Overview", "Three conclusions", "Top 1 events", "Research", "Published"):
        assert label in text
    assert "今日总览" not in text
