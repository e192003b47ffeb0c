"""`export_issue DATE --format md|text|html|email|wechat|pdf [-o FILE]`: an issue in a reader's
format (the formats other than md and text are registered in events.exports)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from events import exports
from events.dailyformat.writer import write_markdown, write_text
from events.models import Issue

#: The daily format's own, which the importer reads back; the others are in events.exports.
OWN_FORMATS = {"md": write_markdown, "text": write_text}


def _render(fmt, issue):
    try:
        return exports.get(fmt).render(issue)
    except RuntimeError as error:  # the renderer's own tool is missing or failed (WeasyPrint)
        raise CommandError(str(error)) from error


def _as_text(rendered) -> str:
    """A renderer returns a string, or a message's bytes (ASCII: its parts are encoded)."""
    if isinstance(rendered, bytes):
        return rendered.decode("ascii")
    return str(rendered)


class Command(BaseCommand):
    help = _("导出一期日报：md（可重新导入的日报格式）、text、html 或 email。")

    def add_arguments(self, parser):
        parser.add_argument("date", help=_("日期，YYYY-MM-DD。"))
        parser.add_argument(
            "--format",
            choices=[*OWN_FORMATS, *exports.names()],
            default="md",
            dest="fmt",
        )
        parser.add_argument("-o", "--output", help=_("写入这个文件，而不是标准输出。"))

    def handle(self, *args, date, fmt, output, **options):
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(
                _("“%(date)s”不是 YYYY-MM-DD 格式的日期。") % {"date": date}
            ) from None
        issue = Issue.objects.filter(date=day).first()
        if issue is None:
            raise CommandError(_("%(date)s 没有日报。") % {"date": day.isoformat()})
        if fmt in OWN_FORMATS:
            text = OWN_FORMATS[fmt](issue)
        elif exports.get(fmt).binary:
            return self._write_bytes(_render(fmt, issue), output)
        else:
            text = _as_text(_render(fmt, issue))
        if output:
            Path(output).write_text(text, encoding="utf-8", newline="\n")
        else:
            self.stdout.write(text, ending="")

    def _write_bytes(self, content: bytes, output) -> None:
        if not output:
            raise CommandError(_("这种格式是二进制文件，请用 -o FILE 指定输出文件。"))
        Path(output).write_bytes(content)
