"""The admin: upload a file as a draft (with its warnings), download an issue in the format."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Issue
from sources.models import Source
from tests.factories import UserFactory

from .helpers import PLAIN_SAMPLE, SAMPLE, seed_bytes

pytestmark = pytest.mark.django_db
IMPORT_URL = "admin:events_issue_import"


def upload(client, data: bytes, **fields):
    return client.post(
        reverse(IMPORT_URL),
        {"file": SimpleUploadedFile("day.txt", data, content_type="text/plain"), **fields},
    )


def test_issue_list_offers_the_import_page(analyst_client):
    page = analyst_client.get(reverse("admin:events_issue_changelist"))
    assert page.status_code == 200
    assert reverse(IMPORT_URL).encode() in page.content
    form = analyst_client.get(reverse(IMPORT_URL))
    assert form.status_code == 200
    assert "导入为草稿" in form.content.decode()


def test_upload_creates_the_draft_and_shows_its_warnings(analyst_client, analyst):
    response = upload(analyst_client, seed_bytes())
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_issue_change", args=[issue.pk])
    assert issue.created_by == analyst and issue.status == Issue.Status.DRAFT
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown[0] == "已从文件导入 2026-04-08 的草稿。"
    assert any(m.startswith("第 82 行：") and "截断" in m for m in shown)
    assert any(m.startswith("第 86 行：") for m in shown)


def test_upload_with_errors_lists_them_by_line_escaped_and_creates_nothing(analyst_client):
    text = PLAIN_SAMPLE.read_text(encoding="utf-8").replace(
        "OpenAI 官方公告 (<https://openai.com/index/accelerating-the-next-phase-ai/>) | Axios",
        "<script>alert(1)</script> | Axios",
        1,
    )
    response = upload(analyst_client, text.encode())
    page = response.content.decode()
    assert response.status_code == 200
    assert "第 32 行：来源“&lt;script&gt;alert(1)&lt;/script&gt;”没有网址" in page
    assert "<script>alert(1)" not in page
    assert Issue.objects.count() == 0 and Source.objects.count() == 0


def test_upload_over_an_existing_draft_needs_the_replace_box(analyst_client):
    upload(analyst_client, SAMPLE.read_bytes())
    refused = upload(analyst_client, SAMPLE.read_bytes())
    assert "已经有一期日报" in refused.content.decode()
    replaced = upload(analyst_client, SAMPLE.read_bytes(), replace="on")
    assert replaced.status_code == 302
    assert Issue.objects.count() == 1


def test_oversized_or_binary_uploads_are_refused(analyst_client):
    too_big = upload(analyst_client, b"a" * (2 * 1024 * 1024 + 1))
    assert "文件太大" in too_big.content.decode()
    binary = upload(analyst_client, b"\xff\xfe\x00garbage")
    assert "第 1 行：这一行不是 UTF-8 编码的文字。" in binary.content.decode()
    assert Issue.objects.count() == 0


def test_staff_without_the_add_permission_gets_403(client):
    client.force_login(UserFactory(username="reader"))
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert upload(client, SAMPLE.read_bytes()).status_code == 403
    assert Issue.objects.count() == 0


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = upload(client, SAMPLE.read_bytes())
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Issue.objects.count() == 0


def test_change_page_offers_the_daily_format_download(analyst_client):
    upload(analyst_client, SAMPLE.read_bytes())
    issue = Issue.objects.get()
    page = analyst_client.get(reverse("admin:events_issue_change", args=[issue.pk]))
    download = reverse("admin:events_issue_export", args=[issue.pk])
    assert download in page.content.decode()
    response = analyst_client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="aidaily-2026-04-08.md"'
    assert response.content == SAMPLE.read_bytes()


def test_download_needs_the_view_permission(client):
    client.force_login(UserFactory(username="reader"))
    issue = Issue.objects.create(
        date="2026-04-08", coverage_start="2026-04-01", coverage_end="2026-04-08"
    )
    response = client.get(reverse("admin:events_issue_export", args=[issue.pk]))
    assert response.status_code == 403
