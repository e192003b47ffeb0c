"""`python manage.py demo`: the demo newsroom, idempotent (see events/demo/loader.py)."""

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.urls import reverse

from events.demo.loader import DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo: users analyst/editor, the published sample issue, the next day's draft."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords", action="store_true", help="Give the demo users new passwords."
        )

    def handle(self, *args, reset_passwords=False, **options):
        report = load_demo(reset_passwords=reset_passwords)
        site = settings.SITE_URL
        if report.passwords:
            self.stdout.write(
                "Demo users (passwords are shown only now; run "
                "`python manage.py demo --reset-passwords` for new ones):"
            )
            roles = {
                "analyst": "分析师 (analyst): drafts items, cites sources, verifies, submits",
                "editor": "主编 (chief editor): reviews, approves, publishes, corrects, withdraws",
            }
            for username in DEMO_USERS:
                if username in report.passwords:
                    password = report.passwords[username]
                    self.stdout.write(f"  {username:8} / {password}   {roles[username]}")
        else:
            self.stdout.write(
                "Demo users analyst and editor exist already "
                "(`python manage.py demo --reset-passwords` prints new passwords)."
            )
        self.stdout.write(f"Published sample issue: {site}{report.published.get_absolute_url()}")
        # By name: the editions app sits above events. Made as publication makes them.
        if apps.is_installed("editions") and settings.EDITIONS_ON_PUBLISH:
            self.stdout.write("Its PDF and share images:")
            call_command("generate_editions", report.published.date.isoformat(), stdout=self.stdout)
        draft_admin = reverse("admin:events_issue_change", args=[report.draft.pk])
        self.stdout.write(f"Draft for the next day:  {site}{draft_admin}")
        self.stdout.write(f"Admin: {site}{reverse('admin:index')}")
