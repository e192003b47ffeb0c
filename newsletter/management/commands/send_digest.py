"""`python manage.py send_digest DATE`: send (or resume) a published issue's digest."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from events.models import Issue
from newsletter import mailings, sending
from newsletter.models import Delivery


class Command(BaseCommand):
    help = "Send a published issue's digest to subscribers who have not received it; safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument("date", help="the issue's date, YYYY-MM-DD")
        parser.add_argument(
            "--resend-uncertain",
            action="store_true",
            help="also resend deliveries whose outcome is uncertain (may reach a reader twice)",
        )

    def handle(self, *args, date, resend_uncertain=False, **options):
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError as error:
            raise CommandError(f"not a date: {date!r} (expected YYYY-MM-DD)") from error
        issue = Issue.objects.filter(date=day).first()
        if issue is None:
            raise CommandError(f"no issue dated {day}")
        if issue.status != Issue.Status.PUBLISHED:
            raise CommandError(f"the issue of {day} is {issue.get_status_display()}, not published")
        sending.sweep()
        mailing = mailings.digest_for(issue)
        if mailing.paused:
            mailings.resume(mailing)
        if resend_uncertain:
            mailings.resend(mailing, statuses=[Delivery.Status.UNCERTAIN])
        mailing = mailings.start_digest(issue)
        counts = Delivery.objects.filter(mailing=mailing).counts_by_status()
        summary = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
        self.stdout.write(f"{issue.display_title}: {summary or 'no subscribers'}")
