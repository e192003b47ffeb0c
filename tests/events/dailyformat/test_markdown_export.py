"""The md export is Markdown a renderer understands, and the importer still reads it back."""

import pytest
from markdown_it import MarkdownIt

from events.dailyformat import labels
from events.dailyformat.importer import import_bytes, import_text
from events.dailyformat.parser import DailyFormatError, parse
from events.dailyformat.writer import write_markdown
from events.models import Citation

from .helpers import PLAIN_SAMPLE, SAMPLE, content, full_issue

pytestmark = pytest.mark.django_db


def headings(tokens, tag):
    return [
        tokens[i + 1].content
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == tag
    ]


def links(tokens):
    """(href, link text) of every link in the document."""
    found = []
    for inline in (t for t in tokens if t.type == "inline"):
        children = inline.children or []
        for i, child in enumerate(children):
            if child.type == "link_open":
                text = "".join(c.content for c in children[i + 1 :][: _close(children, i) - i - 1])
                found.append((child.attrs["href"], text))
    return found


def _close(children, start):
    return next(j for j in range(start, len(children)) if children[j].type == "link_close")


def sample_export():
    issue = import_bytes(PLAIN_SAMPLE.read_bytes()).issue
    return issue, write_markdown(issue)


def test_every_section_of_the_export_is_a_level_two_heading():
    issue, text = sample_export()
    found = headings(MarkdownIt().parse(text), "h2")
    expected = [
        labels.heading(key, labels.ZH, issue.events.count()) for key in labels.SECTION_ORDER
    ]
    assert found == expected


def test_items_are_headings_numbered_one_to_n_in_each_section():
    issue, text = sample_export()
    titles = headings(MarkdownIt().parse(text), "h3")
    counts = [issue.events.count(), issue.signals.count(), issue.papers.count()]
    numbers = [title.split(".", 1)[0] for title in titles]
    assert numbers == [str(n) for count in counts for n in range(1, count + 1)]
    assert "2" in numbers


def test_every_source_is_a_link_whose_text_is_its_label():
    _issue, text = sample_export()
    cited = [(c.source.url, c.label) for c in Citation.objects.select_related("source")]
    assert cited
    found = links(MarkdownIt().parse(text))
    for url, label in cited:
        assert (url, label) in found


def test_labels_with_brackets_and_bars_stay_link_text_and_round_trip():
    issue = full_issue()
    citation = issue.events.first().citations.first()
    citation.label = "Lab [beta] | 公告 \\ 说明"
    citation.save()
    first = write_markdown(issue)
    assert (citation.source.url, "Lab [beta] | 公告 \\ 说明") in links(MarkdownIt().parse(first))
    again = import_text(first, replace=True).issue
    assert write_markdown(again) == first
    assert again.events.first().citations.first().label == "Lab [beta] | 公告 \\ 说明"


def test_the_plain_format_and_the_markdown_export_import_to_the_same_issue():
    plain = import_bytes(PLAIN_SAMPLE.read_bytes()).issue
    before = content(plain)
    markdown = import_text(SAMPLE.read_text(encoding="utf-8"), replace=True).issue
    assert content(markdown) == before
    assert write_markdown(markdown) == SAMPLE.read_text(encoding="utf-8")


def test_an_unknown_level_two_heading_is_an_error_on_its_line():
    text = SAMPLE.read_text(encoding="utf-8").replace("## 商业与应用解读", "## 市场情绪")
    line = text.splitlines().index("## 市场情绪") + 1
    with pytest.raises(DailyFormatError) as raised:
        parse(text)
    assert any(e.line == line and "市场情绪" in e.message for e in raised.value.errors)
