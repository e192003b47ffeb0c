"""The demo shows what every channel would send for the published sample issue."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from channels import wechat
from events.models import Issue

pytestmark = pytest.mark.django_db


def test_demo_writes_every_channel_s_output_and_lists_it(media_root):
    out = StringIO()
    call_command("demo", stdout=out)
    output = out.getvalue()
    assert "Published sample issue" in output  # events' demo ran first
    listed = {
        line.split(": ", 1)[0].strip(): Path(line.split(": ", 1)[1])
        for line in output.splitlines()
        if str(media_root) in line
    }
    assert len(listed) == 6
    for path in listed.values():
        assert path.is_file() and path.stat().st_size > 0
    files = {path.name: path for path in listed.values()}
    issue = Issue.objects.published().get()
    assert files["wechat.html"].read_text(encoding="utf-8") == wechat.render_wechat(issue)
    assert wechat.limit_problems(wechat.render_article(issue)) == []  # the sample fits WeChat
    draft = json.loads(files["wechat-draft.json"].read_text(encoding="utf-8"))
    assert draft["articles"][0]["title"] == issue.display_title
    assert json.loads(files["feishu.json"].read_text())["msg_type"] == "interactive"
    assert json.loads(files["dingtalk.json"].read_text())["msgtype"] == "actionCard"
    hook = json.loads(files["webhook.json"].read_text())
    assert hook["body"]["event"] == "issue.published"
    assert hook["headers"]["X-Aidaily-Signature"].startswith("t=")
