"""The WeChat article: markup WeChat's editor keeps, sources as numbered footnotes, its limits."""

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from channels import wechat
from events.models import Issue

from ..factories import SourceFactory, cite, publishable_issue

ALLOWED = {"section", "p", "span", "strong", "img", "ul", "ol", "li"}


class Markup(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags, self.attributes, self.depth, self.max_list_depth = [], [], 0, 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _value in attrs]
        self.styles = getattr(self, "styles", []) + [v for n, v in attrs if n == "style"]
        if tag in ("ul", "ol"):
            self.depth += 1
            self.max_list_depth = max(self.max_list_depth, self.depth)

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self.depth -= 1


@pytest.fixture
def issue(db):
    issue = publishable_issue(events=2, signals=1, papers=1)
    issue.overview = (
        "See [the announcement](https://openai.com/index/funding/) and:\n\n"
        "- first\n  - nested item\n- second\n\nline one  \nline two\n\n```\ncode <a>\nmore\n```"
    )
    Issue.objects.filter(pk=issue.pk).update(overview=issue.overview)
    return issue


def test_article_uses_only_tags_wechat_keeps_with_inline_styles(issue):
    html = wechat.render_wechat(issue)
    markup = Markup(html)
    assert set(markup.tags) <= ALLOWED
    assert set(markup.attributes) <= {"style"}
    assert "<style" not in html and "<script" not in html and "class=" not in html
    assert "href" not in html
    assert not any("var(--" in style for style in markup.styles)
    assert markup.max_list_depth == 1  # the nested list is flattened


def test_every_cited_source_is_a_numbered_reference_with_its_url(issue):
    html = wechat.render_wechat(issue)
    references = html[html.index("参考来源") :]
    citations = [c for item in issue.items() for c in item.citations.all()]
    for citation in citations:
        number = re.search(
            rf"\[(\d+)\] {re.escape(citation.label)}: {re.escape(citation.source.url)}",
            references,
        )
        assert number, citation.source.url
        assert f"[{number.group(1)}]" in html[: html.index("参考来源")]
    assert "https://openai.com/index/funding/" in references  # a link in the text as well
    assert "the announcement" in html


def test_each_item_keeps_its_verification_note(issue):
    html = wechat.render_wechat(issue)
    for item in issue.items():
        assert f"验证状态：{item.get_verification_status_display()}" in html
        assert item.verification_note in html


def test_a_source_cited_twice_keeps_one_number(issue):
    event = issue.events.first()
    source = event.citations.first().source
    cite(issue.signals.first(), source, label="again")
    html = wechat.render_wechat(issue)
    assert html.count(source.url) == 1


def test_issue_text_is_escaped_never_markup(db):
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'"
    issue = publishable_issue(title="T<b>x</b>")
    event = issue.events.first()
    type(event).objects.filter(pk=event.pk).update(
        title=attack, what_happened=attack + " [x](javascript:alert(3))"
    )
    cite(event, SourceFactory(url='https://evil.example/"><script>x</script>'), label=attack)
    html = wechat.render_wechat(issue)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert "javascript:" not in html
    assert set(Markup(html).attributes) <= {"style"}


def test_limits_say_what_to_cut(db):
    issue = publishable_issue(title="一" * 40)
    issue.business_analysis = "很长的分析。" * 4000
    Issue.objects.filter(pk=issue.pk).update(business_analysis=issue.business_analysis)
    problems = wechat.limit_problems(wechat.render_article(issue))
    text = " ".join(" ".join(p) for p in problems)
    assert "40 个字，超过上限 32" in text and "缩短 8 个字" in text
    assert "上限是 20000 个字符" in text
    assert "商业与应用解读" in text  # the largest part is named


def test_a_short_issue_is_within_the_limits(issue):
    assert wechat.limit_problems(wechat.render_article(issue)) == []


def test_export_issue_writes_the_wechat_html(issue, tmp_path):
    out = tmp_path / "wechat.html"
    call_command("export_issue", issue.date.isoformat(), "--format", "wechat", "-o", str(out))
    assert out.read_text(encoding="utf-8") == wechat.render_wechat(issue)
