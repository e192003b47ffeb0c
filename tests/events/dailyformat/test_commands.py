"""`import_issue` and `export_issue` as an analyst runs them."""

import datetime
import email
import email.policy
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from events.models import Event, Issue
from sources.models import Source

from .helpers import PLAIN_SAMPLE, SAMPLE

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_the_date_and_the_admin_url(analyst):
    out, err = run("import_issue", str(SAMPLE), "--user", "analyst")
    issue = Issue.objects.get()
    assert out.startswith("2026-04-08 ")
    assert out.rstrip().endswith(f"/admin/events/issue/{issue.pk}/change/")
    assert err == ""
    assert issue.created_by == analyst


def test_import_prints_warnings_as_path_line_warning(tmp_path):
    path = tmp_path / "day.txt"
    path.write_text(
        PLAIN_SAMPLE.read_text(encoding="utf-8").replace(
            "(<https://blogs.nvidia.com/blog/uk-sovereign-ai-factories/>)",
            "(<https://blogs.nvidia.com/blog/uk-sovereign-ai-",
        ),
        encoding="utf-8",
    )
    out, err = run("import_issue", str(path))
    assert err.startswith(f"{path}:80: warning: ")
    assert "2026-04-08" in out


def test_import_error_prints_path_line_message_and_creates_nothing(tmp_path):
    path = tmp_path / "bad.txt"
    text = PLAIN_SAMPLE.read_text(encoding="utf-8").replace("商业与应用解读", "市场情绪")
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="没有导入任何内容"):
        call_command("import_issue", str(path), stdout=out, stderr=err)
    assert f"{path}:82: 未知的栏目“市场情绪”" in err.getvalue()
    assert Issue.objects.count() == 0 and Source.objects.count() == 0


def test_import_twice_needs_replace():
    run("import_issue", str(SAMPLE))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_issue", str(SAMPLE), stdout=io.StringIO(), stderr=err)
    assert f"{SAMPLE}:3: 2026-04-08 已经有一期日报" in err.getvalue()
    out, _err = run("import_issue", str(SAMPLE), "--replace")
    assert "已替换草稿" in out
    assert Event.objects.count() == 5


def test_import_of_a_missing_file_or_user_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="没有用户"):
        call_command("import_issue", str(SAMPLE), "--user", "nobody")
    with pytest.raises(CommandError, match=str(tmp_path / "missing.txt")):
        call_command("import_issue", str(tmp_path / "missing.txt"))


def test_export_md_to_a_file_reproduces_the_sample(tmp_path):
    run("import_issue", str(SAMPLE))
    target = tmp_path / "out.md"
    run("export_issue", "2026-04-08", "--format", "md", "-o", str(target))
    assert target.read_bytes() == SAMPLE.read_bytes()


def test_export_text_to_stdout():
    run("import_issue", str(SAMPLE))
    out, _err = run("export_issue", "2026-04-08", "--format", "text")
    assert out.startswith("AI前沿发展日报 | 2026-04-08\n")
    assert "【前沿研究速递】" in out


def test_export_of_a_date_without_issue_or_a_bad_date_is_an_error():
    with pytest.raises(CommandError, match="没有日报"):
        call_command("export_issue", "2026-01-01")
    with pytest.raises(CommandError, match="不是 YYYY-MM-DD"):
        call_command("export_issue", "yesterday")


def test_export_html_is_the_public_page_standing_alone(client):
    run("import_issue", str(SAMPLE))
    Issue.objects.filter(date=datetime.date(2026, 4, 8)).update(
        status=Issue.Status.PUBLISHED, published_at=timezone.now()
    )
    out, _err = run("export_issue", "2026-04-08", "--format", "html")
    page = client.get("/issues/2026-04-08/").content.decode()
    article = re.search(r"<article.*</article>", page, re.S).group(0)
    assert out.startswith("<!doctype html>")
    # The page's article, with its links made absolute so that the file reads anywhere.
    assert re.sub(r'href="/', 'href="http://127.0.0.1:8000/', article) in out
    assert 'href="/' not in out


def test_export_email_writes_a_complete_message_a_mail_client_opens(tmp_path, settings):
    settings.SITE_URL = "https://daily.example.org"
    run("import_issue", str(SAMPLE))
    target = tmp_path / "d.eml"

    run("export_issue", "2026-04-08", "--format", "email", "-o", str(target))

    message = email.message_from_bytes(target.read_bytes(), policy=email.policy.default)
    assert message.defects == [] and message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "AI前沿发展日报 | 2026-04-08"
    assert message["From"].addresses[0].addr_spec == "digest@aidaily.local"
    assert message["Date"].endswith(" +0000") and message["Message-ID"].endswith("@aidaily.local>")
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    html = message.get_body(("html",)).get_content()
    assert html.lower().startswith("<!doctype html>") and "今日三条结论" in html
    assert "今日三条结论" in message.get_body(("plain",)).get_content()
    # The test copy's token: the exported unsubscribe link unsubscribes nobody.
    assert "https://daily.example.org/unsubscribe/test-copy/" in html


def test_export_email_to_stdout_is_the_same_message():
    run("import_issue", str(SAMPLE))
    out, _err = run("export_issue", "2026-04-08", "--format", "email")
    message = email.message_from_string(out, policy=email.policy.default)
    assert message["Subject"] == "AI前沿发展日报 | 2026-04-08"
    assert "今日三条结论" in message.get_body(("html",)).get_content()


def test_export_offers_the_formats_every_app_registered_and_refuses_others():
    run("import_issue", str(SAMPLE))
    with pytest.raises(CommandError, match=r"invalid choice: 'docx'") as refused:
        call_command("export_issue", "2026-04-08", "--format", "docx")
    for name in ("md", "text", "html", "email", "wechat", "pdf"):
        assert f"'{name}'" in str(refused.value)


def test_export_defaults_to_md_on_stdout():
    run("import_issue", str(SAMPLE))
    out, _err = run("export_issue", "2026-04-08")
    assert out.splitlines()[0] == "# AI前沿发展日报 | 2026-04-08 (Asia/Shanghai)"


def test_import_of_a_list_nested_three_hundred_deep_prints_path_line_and_creates_nothing(
    tmp_path,
):
    deep = "\n".join("    " * level + f"- 第 {level} 层" for level in range(300))
    text = SAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "deep.txt"
    path.write_text(text.replace("\n关键信息：", f"\n\n{deep}\n\n关键信息：", 1), encoding="utf-8")
    with pytest.raises(CommandError, match="没有导入任何内容"):
        call_command("import_issue", str(path), stdout=io.StringIO(), stderr=(err := io.StringIO()))
    line = text[: text.index("\n发生了什么：")].count("\n")  # the first event's numbered line
    assert f"{path}:{line}: “发生了什么”：列表或引用嵌套太深" in err.getvalue()
    assert Issue.objects.count() == 0 and Source.objects.count() == 0
