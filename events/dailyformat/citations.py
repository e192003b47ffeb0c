"""The sources line: `[label](url) | [label](url)` (or the older `label (<url>)`), and the ways
real files get it wrong."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .text import Diagnostic, one_line

URL_START = re.compile(r"https?://", re.IGNORECASE)
SEPARATOR = re.compile(r"(?<!\\)\|")
# A Markdown link; the destination in <…> when it holds brackets or spaces (CommonMark).
LINK = re.compile(
    r"^\[(?P<label>(?:\\.|[^\\\[\]])*)\]\((?:<(?P<angled>[^<>\n]*)>|(?P<bare>[^\s<>()]*))\)$"
)
LABEL_ESCAPE = re.compile(r"([\\\[\]|])")
LABEL_UNESCAPE = re.compile(r"\\([\\\[\]|])")
MAX_URL_LENGTH = 2000
_validate_url = URLValidator(schemes=["http", "https"])


@dataclass
class ParsedSource:
    """One cited source, as written: the label and the URL (not yet normalised)."""

    label: str
    url: str
    line: int


def write_source(label: str, url: str) -> str:
    """How the writer spells one source: a Markdown link whose text is the label.

    `|` in a label is escaped so the list splits right; brackets so the link text ends right.
    """
    text = LABEL_ESCAPE.sub(r"\\\1", one_line(label))
    destination = url if re.fullmatch(r"[^\s<>()]*", url) else f"<{url}>"
    return f"[{text}]({destination})"


def parse_sources(value: str, line: int):
    """(sources, warnings, errors) for the text after a 来源/可信来源/Sources label."""
    sources, warnings, errors = [], [], []
    for entry in SEPARATOR.split(value):
        entry = entry.strip()
        if not entry:
            warnings.append(Diagnostic(line, _("来源列表里有一个空项，已忽略。")))
            continue
        source, problems = _parse_entry(entry, line)
        for severity, message in problems:
            (errors if severity == "error" else warnings).append(Diagnostic(line, message))
        if source is not None:
            sources.append(source)
    return sources, warnings, errors


def _parse_entry(entry: str, line: int):
    """One `[label](url)` or `label (<url>)` entry → (ParsedSource or None, [(sev, message)])."""
    link = LINK.match(entry)
    if link and URL_START.match(url := link["angled"] or link["bare"] or ""):
        label = one_line(LABEL_UNESCAPE.sub(r"\1", link["label"]))
        problems = [] if label else [("warning", _("来源没有名称，已用网址代替。"))]
        return _checked(label or url, url, line, problems)
    start = URL_START.search(entry)
    if start is None:
        return None, [
            ("error", _("来源“%(entry)s”没有网址（http:// 或 https://）。") % {"entry": entry})
        ]
    before, rest = entry[: start.start()].rstrip(), entry[start.start() :]
    angle = before.endswith("<")
    before = before.removesuffix("<").rstrip()
    bracket = before[-1:] in ("(", "（")
    label = one_line(before[:-1] if bracket else before).replace("\\|", "|")
    url, problems = _older_url(rest, angle=angle, opening=before[-1:] if bracket else "")
    if not label:
        label = url
        problems.append(("warning", _("来源没有名称，已用网址代替。")))
    return _checked(label, url, line, problems)


def _older_url(rest: str, *, angle: bool, opening: str):
    """The URL of a `label (<url>)` entry from its first "http" on → (url, [(sev, message)]).

    `angle`: the URL was opened with "<"; `opening`: the bracket before it ("(", "（" or "").
    """
    problems = []
    if angle and ">" in rest:
        url, _sep, closing = rest.partition(">")
    else:
        url, closing = [*rest.split(maxsplit=1), ""][:2]
    url, closing = url.strip(), closing.strip()
    # A bare URL runs into its closing bracket; keep a ")" that balances one in the URL.
    runs_into_bracket = url.endswith("）") or (
        url.endswith(")") and url.count("(") < url.count(")")
    )
    if not angle and opening and runs_into_bracket:
        url, closing = url[:-1], url[-1] + closing
    missing = ">)" if angle and ">" not in rest else ""
    if not missing and opening and closing[:1] not in (")", "）"):
        missing = "）" if opening == "（" else ")"
    if missing:
        url = url.rstrip(")）")
        problems.append(
            (
                "warning",
                _("网址“%(url)s”后面缺少“%(missing)s”，它可能被截断了；已按原样保留，请核对。")
                % {"url": url, "missing": missing},
            )
        )
    extra = closing[1:].strip() if closing[:1] in (")", "）") else closing
    if extra and missing != ">)":
        problems.append(
            (
                "warning",
                _("网址后面的文字“%(extra)s”不属于任何来源，已忽略。")
                % {"extra": Truncator(extra).chars(40)},
            )
        )
    return url, problems


def _checked(label: str, url: str, line: int, problems: list):
    """The source, or None when the URL is refused; with every problem found."""
    problems = problems + _url_problems(url)
    if any(severity == "error" for severity, _message in problems):
        return None, problems
    return ParsedSource(label=label, url=url, line=line), problems


def _url_problems(url: str):
    if len(url) > MAX_URL_LENGTH:
        return [("error", _("网址超过 %(max)d 个字符。") % {"max": MAX_URL_LENGTH})]
    try:
        _validate_url(url)
    except ValidationError:
        return [("error", _("“%(url)s”不是有效的网址。") % {"url": url})]
    return []
