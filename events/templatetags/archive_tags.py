"""Template filters of the public archive: Markdown, safe external links, JSON-LD."""

import json

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..rendering.markdown import render_markdown, render_markdown_inline

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def markdown(text):
    """Sanitised HTML from analyst Markdown."""
    return render_markdown(text)


@register.filter
def markdown_inline(text):
    """Sanitised inline HTML from one line of analyst Markdown."""
    return render_markdown_inline(text)


@register.filter
def http_url(url):
    """The URL when it is http(s), else an empty string: no javascript: links reach readers."""
    url = (url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


@register.filter
def ld_json(value):
    """A JSON-LD block's body, escaped so no text can close the <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES)
    return mark_safe(text)  # <, > and & are escaped above


@register.simple_tag
def label(labels, key, count=None):
    """A section label in the issue's language, with {n} filled in."""
    text = labels.get(key, key)
    return escape(text.format(n=count) if count is not None else text)
