"""Keep, block and boost rules: keywords or regular expressions on an entry's title, summary, URL.

User-written expressions are checked for the shapes that backtrack catastrophically (a
quantified group that itself repeats) and then run through the `regex` module with a timeout
on input already capped in length, so one bad rule cannot stall a poll.
"""

import re
from dataclasses import dataclass
from re import _constants as re_constants
from re import _parser as re_parser

import regex
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

MAX_PATTERN = 300
MATCH_TIMEOUT = 0.05  # seconds per entry and rule
BOOST_POINTS = 5
#: A group holding a quantifier, itself quantified: (a+)+, (\w*)*, (x{2,})+, (a|aa)+ ...
NESTED_QUANTIFIER = regex.compile(r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,?\d*\})[^()]*\)\s*(?:[+*]|\{)")
ALTERNATION_REPEATED = regex.compile(r"\((?:[^()\\]|\\.)*\|(?:[^()\\]|\\.)*\)\s*[+*]")


def validate_pattern(pattern: str, *, is_regex: bool) -> None:
    """Raise ValidationError with a readable message for a pattern we will not run."""
    if not pattern.strip():
        raise ValidationError(_("规则不能为空。"))
    if len(pattern) > MAX_PATTERN:
        raise ValidationError(_("规则太长（最多 %(n)s 个字符）。") % {"n": MAX_PATTERN})
    if not is_regex:
        return
    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise ValidationError(_("正则表达式无效：%(e)s") % {"e": exc}) from exc
    if (
        NESTED_QUANTIFIER.search(pattern)
        or ALTERNATION_REPEATED.search(pattern)
        or _repeats_a_repeat(pattern)
    ):
        raise ValidationError(
            _("正则表达式含有嵌套或重复的量词（例如 (a+)+），可能导致灾难性回溯，已拒绝。")
        )


def _repeats_a_repeat(pattern: str) -> bool:
    """Whether the parse tree has an unbounded repeat inside another repeat, at any depth."""
    try:
        tree = re_parser.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return False  # syntax only `regex` knows: the textual checks and the timeout remain
    return _walk(tree, inside=False)


def _walk(tree, *, inside: bool) -> bool:
    for op, av in tree:
        if op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT):
            _low, high, sub = av
            repeats = high > 1
            if repeats and inside:
                return True
            if _walk(sub, inside=inside or repeats):
                return True
            continue
        if op == re_constants.SUBPATTERN:
            branches = [av[-1]]
        elif op == re_constants.BRANCH:
            branches = av[1]
        else:
            continue
        if any(_walk(branch, inside=inside) for branch in branches):
            return True
    return False


def validate_rule(rule) -> None:
    """Model-level validation for Rule.clean()."""
    validate_pattern(rule.pattern or "", is_regex=rule.is_regex)


@dataclass
class CompiledRule:
    pk: int
    action: str
    field: str
    pattern: str
    matcher: object  # a compiled regex, or None for a keyword

    def matches(self, *, title: str, summary: str, url: str) -> bool:
        values = {"title": title, "summary": summary, "url": url}
        texts = list(values.values()) if self.field == "any" else [values[self.field]]
        for text in texts:
            if self.matcher is None:
                if self.pattern.lower() in text.lower():
                    return True
                continue
            try:
                if self.matcher.search(text[:4000], timeout=MATCH_TIMEOUT):
                    return True
            except TimeoutError:
                return False
        return False


def compiled_rules(feed_id: int | None):
    """The enabled rules for a feed (its own and the global ones), compiled once."""
    from .models import Rule

    rules = Rule.objects.filter(Q(feed__isnull=True) | Q(feed_id=feed_id), enabled=True)
    out = []
    for rule in rules:
        matcher = regex.compile(rule.pattern, regex.IGNORECASE) if rule.is_regex else None
        out.append(CompiledRule(rule.pk, rule.action, rule.field, rule.pattern, matcher))
    return out


def judge(rules, *, title: str, summary: str, url: str) -> tuple[str, int]:
    """(blocked reason or "", boost points) for an entry's text under the rules."""
    hits = [r for r in rules if r.matches(title=title, summary=summary, url=url)]
    blocked = next((r for r in hits if r.action == "block"), None)
    if blocked:
        return _("被屏蔽规则“%(p)s”命中") % {"p": blocked.pattern}, 0
    keeps = [r for r in rules if r.action == "keep"]
    if keeps and not any(r.action == "keep" for r in hits):
        return _("没有命中任何保留规则"), 0
    return "", BOOST_POINTS * sum(r.action == "boost" for r in hits)
