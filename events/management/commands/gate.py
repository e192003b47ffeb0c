"""`python manage.py gate DATE`: the publish gate's problems, one a line; non-zero while any."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from events import gate
from events.models import Issue


def parse_day(value: str) -> datetime.date:
    """YYYY-MM-DD, or "today" in the site's time zone (for a cron job before the deadline)."""
    if value == "today":
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("日期格式应为 YYYY-MM-DD 或 today：%(value)s") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = "Print the publish gate's problems for the issue of DATE; exit 1 while any remain."

    def add_arguments(self, parser):
        parser.add_argument("date", help="YYYY-MM-DD or today")

    def handle(self, *args, date, **options):
        day = parse_day(date)
        issue = Issue.objects.filter(date=day).first()
        if issue is None:
            raise CommandError(_("%(date)s 没有日报。") % {"date": day}, returncode=2)
        found, warned = gate.review(issue)
        for problem in found:
            self.stdout.write(str(problem))
        for warning in warned:  # shown, but they do not hold the issue back
            self.stdout.write(_("提醒：%(problem)s") % {"problem": warning})
        if found:
            raise CommandError(
                _("%(date)s 的日报还有 %(count)d 个问题，不能发布。")
                % {"date": day, "count": len(found)},
                returncode=1,
            )
        self.stdout.write(_("%(date)s 的日报通过发布检查。") % {"date": day})
