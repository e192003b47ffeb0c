"""Analyst Markdown costs time in proportion to its length and never crashes a page."""

import gc
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from events.models import Event, Issue
from events.rendering.markdown import MAX_NESTING, render_markdown, validate_markdown

from ..admin_forms import admin_form_data
from ..factories import ChiefEditorFactory, EventFactory, IssueFactory


def nested_list(levels: int) -> str:
    """A list with one item per level, each indented under the one before."""
    return "\n".join("    " * level + f"- 第 {level} 层" for level in range(levels))


def nested_brackets(count: int) -> str:
    return "[" * count + "x" + "]" * count


def cost(text: str, repeats: int, render=render_markdown) -> float:
    """The best of a few renderings, in seconds of this process's CPU: other processes on a busy
    machine do not count, and the best is the least disturbed by what remains."""
    timings = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            start = time.process_time()
            render(text)
            timings.append(time.process_time() - start)
    finally:
        gc.enable()
    return min(timings)


def grows_linearly(make, size: int, render=render_markdown) -> tuple[bool, float]:
    """Whether four times the input costs less than twice four times the time (linear: ~4×)."""
    ratio = cost(make(4 * size), 3, render) / cost(make(size), 5, render)
    return ratio < 8, ratio


def test_thirty_thousand_nested_brackets_cost_time_in_proportion_to_their_number():
    linear, ratio = grows_linearly(nested_brackets, 7500)  # the large input: 30000 of each
    assert linear, f"4× the brackets cost {ratio:.1f}× the time"


@pytest.mark.parametrize("tag", ["div", "blockquote"])
def test_deeply_nested_raw_html_costs_time_in_proportion_to_its_length(tag):
    linear, ratio = grows_linearly(lambda n: f"<{tag}>" * n + "x", 5000)
    assert linear, f"4× the <{tag}> tags cost {ratio:.1f}× the time"


def test_raw_html_is_shown_as_typed_never_as_markup():
    html = render_markdown("用 <video> 标签，<b>加粗</b>")
    assert html == "<p>用 &lt;video&gt; 标签，&lt;b&gt;加粗&lt;/b&gt;</p>"


def test_a_list_nested_three_hundred_deep_renders_its_readable_levels():
    html = render_markdown(nested_list(300))
    assert "第 0 层" in html and f"第 {MAX_NESTING - 1} 层" in html
    assert "第 299 层" not in html  # deeper than the parser descends: left out, not recursed


def test_nesting_up_to_the_limit_is_accepted():
    validate_markdown(nested_list(MAX_NESTING))
    validate_markdown(">" * MAX_NESTING + " 引用")
    validate_markdown(nested_brackets(30000))  # inline brackets are not block nesting


@pytest.mark.parametrize(
    "text",
    [
        nested_list(MAX_NESTING + 1),
        nested_list(300),
        ">" * 300 + " 引用",
        "- " * 300 + "一行里的列表",
        "> - " * 20 + "引用里的列表里的引用",
    ],
    ids=["one-too-many", "list-300", "quote-300", "one-line-300", "quote-and-list"],
)
def test_nesting_beyond_the_limit_is_refused_with_a_clear_message(text):
    with pytest.raises(ValidationError) as refusal:
        validate_markdown(text)
    message = refusal.value.messages[0]
    assert "嵌套太深" in message and f"最多嵌套 {MAX_NESTING} 层" in message


def test_the_refusal_names_the_line_where_the_nesting_goes_too_deep():
    text = "第一段\n\n" + nested_list(MAX_NESTING + 3)
    with pytest.raises(ValidationError) as refusal:
        validate_markdown(text)
    assert f"第 {MAX_NESTING + 3} 行起" in refusal.value.messages[0]  # two lines of intro


@pytest.mark.django_db
def test_admin_refuses_an_event_nested_three_hundred_deep_and_keeps_what_was_saved(client):
    client.force_login(ChiefEditorFactory())
    event = EventFactory(key_facts="原来的关键信息")
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(client.get(url))
    data["key_facts"] = nested_list(300)

    response = client.post(url, data)

    assert response.status_code == 200  # the form comes back with the refusal
    assert "列表或引用嵌套太深" in response.content.decode()
    event.refresh_from_db()
    assert event.key_facts == "原来的关键信息"


@pytest.mark.django_db
def test_admin_refuses_an_overview_nested_three_hundred_deep(client):
    client.force_login(ChiefEditorFactory())
    issue = IssueFactory(overview="原来的总览", with_conclusions=3)
    url = reverse("admin:events_issue_change", args=[issue.pk])
    data = admin_form_data(client.get(url))
    data["overview"] = ">" * 300 + " 引用"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "列表或引用嵌套太深" in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).overview == "原来的总览"


@pytest.mark.django_db
def test_admin_saves_a_list_nested_within_the_limit(client):
    client.force_login(ChiefEditorFactory())
    event = EventFactory()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_form_data(client.get(url))
    data["key_facts"] = nested_list(3)

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Event.objects.get(pk=event.pk).key_facts == nested_list(3)
