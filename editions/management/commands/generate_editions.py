"""`generate_editions DATE [--force]`: make the PDF and share images of a published issue."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from editions import services
from editions.models import Edition
from events.models import Issue


class Command(BaseCommand):
    help = _("生成一期已发布日报的 PDF、长图和分享卡片（只重做内容已变的文件）。")

    def add_arguments(self, parser):
        parser.add_argument("date", help=_("日期，YYYY-MM-DD。"))
        parser.add_argument("--force", action="store_true", help=_("内容没变也重新生成。"))

    def handle(self, *args, date, force, **options):
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(
                _("“%(date)s”不是 YYYY-MM-DD 格式的日期。") % {"date": date}
            ) from None
        issue = Issue.objects.published().filter(date=day).first()
        if issue is None:
            raise CommandError(_("%(date)s 没有已发布的日报。") % {"date": day.isoformat()})
        for edition in services.generate(issue_id=issue.pk, force=force):
            self.stdout.write(self._line(edition))

    def _line(self, edition: Edition) -> str:
        name = edition.get_kind_display()
        if edition.state == Edition.State.READY:
            size = f"{edition.width}×{edition.height}, " if edition.width else ""
            return f"{name}: {edition.file.path} ({size}{edition.size} bytes)"
        # A machine without WeasyPrint or Chromium: said, and the other files still made.
        return f"{name}: {edition.get_state_display()} — {edition.error}"
