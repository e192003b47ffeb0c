"""`python manage.py demo`: events' demo, then every channel's output for the published issue.

This app sits before events in INSTALLED_APPS, so Django runs this command for `demo`; it does
all events' does and then writes what WeChat, Feishu, DingTalk and a webhook would receive.
"""

from events.management.commands import demo
from events.models import Issue

from ...demo import write_outputs


class Command(demo.Command):
    def handle(self, *args, **options):
        super().handle(*args, **options)
        issue = Issue.objects.published().order_by("-date").first()
        if issue is None:
            return
        self.stdout.write("What each publishing channel receives for the published issue:")
        for channel, path in write_outputs(issue):
            self.stdout.write(f"  {channel}: {path}")
