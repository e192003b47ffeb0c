"""`python manage.py check_claims DATE [--json]`: every figure of the issue against its sources."""

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from claims import services as claims
from events.management.commands.gate import parse_day
from events.models import Issue


class Command(BaseCommand):
    help = "Check every figure of the issue of DATE against the captures of its cited sources."

    def add_arguments(self, parser):
        parser.add_argument("date", help="YYYY-MM-DD or today")
        parser.add_argument("--json", action="store_true", help="one JSON object per claim")

    def handle(self, *args, date, **options):
        day = parse_day(date)
        issue = Issue.objects.with_items().filter(date=day).first()
        if issue is None:
            raise CommandError(_("%(date)s 没有日报。") % {"date": day}, returncode=2)
        items = issue.items()
        found = claims.refresh_items(items)
        rows = [
            claims.report_row(item, claim)
            for item in items
            for claim in found[(item.section, item.pk)]
        ]
        if options["json"]:
            self.stdout.write(_dump(rows))
            return
        for row in rows:
            quote = f" — “{row['quote']['exact']}”" if row["quote"] else ""
            line = f"{row['item']} {row['field']}: {row['text']} [{row['status']}]"
            self.stdout.write(line + quote)


def _dump(rows) -> str:
    return jsonlib.dumps(rows, ensure_ascii=False, indent=2)
