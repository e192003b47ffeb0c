"""Write a parsed issue to the database: one transaction, all or nothing."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sources.inference import infer_source
from sources.models import Source
from sources.normalise import normalise_url

from .. import ranking
from ..models import Citation, Conclusion, Issue
from ..models.fields import MarkdownField
from ..rendering.markdown import validate_markdown
from ..sections import SECTIONS
from .parsed import DailyFormatError, ParsedIssue
from .parser import decode, parse
from .text import Diagnostic

ISSUE_FIELDS = ("title", "language", "coverage_start", "coverage_end", "coverage_note")
ISSUE_TEXT = ("overview", "business_analysis")


@dataclass
class ImportResult:
    """The draft written, the warnings to show, and what the import did."""

    issue: Issue
    warnings: list[Diagnostic]
    replaced: bool
    sources_created: int


def import_bytes(data: bytes, *, user=None, replace: bool = False) -> ImportResult:
    """Import a daily-format file's bytes as a draft issue; raises DailyFormatError."""
    return import_parsed(parse(decode(data)), user=user, replace=replace)


def import_text(text: str, *, user=None, replace: bool = False) -> ImportResult:
    """Import daily-format text as a draft issue; raises DailyFormatError."""
    return import_parsed(parse(text), user=user, replace=replace)


def import_parsed(parsed: ParsedIssue, *, user=None, replace: bool = False) -> ImportResult:
    """Create (or, with replace, rewrite a draft) issue from parsed values, in one transaction.

    Items are created unverified; a social signal's 验证状态 becomes its verification note.
    Sources are shared by normalised URL: an existing source is reused as it is (an editor may
    have corrected its publisher or kind), a new one gets an inferred publisher, title and kind.
    """
    errors = sorted(_too_many(parsed) + _too_long(parsed) + _too_deep(parsed), key=lambda d: d.line)
    if errors:
        raise DailyFormatError(errors, parsed.warnings)
    try:
        with transaction.atomic():
            issue, replaced = _issue(parsed, user=user, replace=replace)
            sources, created = _sources(parsed)
            _content(issue, parsed, sources, user=user)
    except IntegrityError:
        if not Issue.objects.filter(date=parsed.date).exists():
            raise
        # Another import of the same date committed first.
        raise DailyFormatError([_exists(parsed)], parsed.warnings) from None
    return ImportResult(issue, parsed.warnings, replaced, created)


def _exists(parsed, issue=None) -> Diagnostic:
    status = issue.get_status_display() if issue else _("刚刚创建")
    return Diagnostic(
        parsed.date_line,
        _(
            "%(date)s 已经有一期日报（%(status)s）。要用这个文件替换草稿，"
            "请勾选“替换同一天的草稿”（命令行：--replace）。"
        )
        % {"date": parsed.date, "status": status},
    )


def _issue(parsed, *, user, replace):
    existing = Issue.objects.select_for_update().filter(date=parsed.date).first()
    values = {name: getattr(parsed, name) for name in ISSUE_FIELDS + ISSUE_TEXT}
    if existing is None:
        return Issue.objects.create(date=parsed.date, created_by=user, **values), False
    if not replace:
        raise DailyFormatError([_exists(parsed, existing)], parsed.warnings)
    if existing.status != Issue.Status.DRAFT:
        raise DailyFormatError(
            [
                Diagnostic(
                    parsed.date_line,
                    _("%(date)s 这一期是“%(status)s”，只有草稿可以被替换。")
                    % {"date": parsed.date, "status": existing.get_status_display()},
                )
            ],
            parsed.warnings,
        )
    # Replace keeps the issue row (its admin URL, log and comments) and rewrites its content.
    for relation in ("conclusions", *(kind.relation for kind in SECTIONS)):
        getattr(existing, relation).all().delete()
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save()
    return existing, True


def _sources(parsed) -> tuple[dict, int]:
    """normalised URL → Source for every cited URL; the first label cited names a new source."""
    sources, created = {}, 0
    for cited in parsed.sources:
        url = normalise_url(cited.url)
        if url in sources:
            continue
        guess = infer_source(cited.label, cited.url)
        sources[url], was_created = Source.objects.get_or_create(
            url=url,
            defaults={"publisher": guess.publisher, "title": guess.title, "kind": guess.kind},
        )
        created += was_created
    return sources, created


def _content(issue, parsed, sources, *, user):
    for conclusion in parsed.conclusions:
        Conclusion.objects.create(issue=issue, position=conclusion.position, text=conclusion.text)
    # Each kind's parsed items sit under its relation name; their attributes are copied by name.
    for kind in SECTIONS:
        for parsed_item in getattr(parsed, kind.relation):
            values = {
                name: value
                for name, value in vars(parsed_item).items()
                if name not in ("line", "sources")
            }
            item = kind.model.objects.create(issue=issue, created_by=user, **values)
            for position, cited in enumerate(parsed_item.sources, 1):
                Citation.objects.create(
                    **{kind.citation_field: item},
                    source=sources[normalise_url(cited.url)],
                    position=position,
                    label=cited.label,
                )


def _too_many(parsed) -> list[Diagnostic]:
    """Sections holding more items than an issue may, as an error on the first one too many."""
    errors = []
    for kind in SECTIONS:
        items = getattr(parsed, kind.relation)
        if len(items) > ranking.MAX_ITEMS_PER_SECTION:
            errors.append(
                Diagnostic(
                    items[ranking.MAX_ITEMS_PER_SECTION].line,
                    _("“%(section)s”有 %(count)d 条，一期每栏最多 %(max)d 条。")
                    % {
                        "section": kind.model._meta.verbose_name_plural,
                        "count": len(items),
                        "max": ranking.MAX_ITEMS_PER_SECTION,
                    },
                )
            )
    return errors


def _too_long(parsed) -> list[Diagnostic]:
    """Values longer than their column allows, as errors on their lines."""
    checks = [(Issue, name, getattr(parsed, name), parsed.title_line) for name in ("title",)]
    checks.append((Issue, "coverage_note", parsed.coverage_note, parsed.coverage_note_line))
    for kind in SECTIONS:
        for item in getattr(parsed, kind.relation):
            for name, value in vars(item).items():
                if isinstance(value, str):
                    checks.append((kind.model, name, value, item.line))
            checks += [(Citation, "label", s.label, s.line) for s in item.sources]
    errors = []
    for model, name, value, line in checks:
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit and len(value) > limit:
            errors.append(
                Diagnostic(
                    line,
                    _("“%(field)s”太长：%(length)d 个字符，最多 %(limit)d 个。")
                    % {
                        "field": model._meta.get_field(name).verbose_name,
                        "length": len(value),
                        "limit": limit,
                    },
                )
            )
    return sorted(errors, key=lambda d: d.line)


def _too_deep(parsed) -> list[Diagnostic]:
    """Markdown values nested deeper than the pages render, as errors on their lines."""
    checks = [
        (Issue, name, getattr(parsed, name), getattr(parsed, f"{name}_line")) for name in ISSUE_TEXT
    ]
    checks += [(Conclusion, "text", c.text, c.line) for c in parsed.conclusions]
    for kind in SECTIONS:
        model = kind.model
        markdown = {f.name for f in model._meta.get_fields() if isinstance(f, MarkdownField)}
        for item in getattr(parsed, kind.relation):
            checks += [
                (model, name, getattr(item, name, ""), item.line) for name in sorted(markdown)
            ]
    errors = []
    for model, name, value, line in checks:
        try:
            validate_markdown(value)
        except ValidationError as error:
            label = model._meta.get_field(name).verbose_name
            errors.append(Diagnostic(line, f"“{label}”：{error.messages[0]}"))
    return errors
