"""Signal receivers: publication, correction and withdrawal reach every enabled channel."""

from django.dispatch import receiver

from events.signals import issue_corrected, issue_published, issue_withdrawn

from . import tasks


@receiver(issue_published, dispatch_uid="channels.on_publish")
def on_publish(sender, issue, **kwargs):
    tasks.start.delay(issue.pk, "publish")


@receiver(issue_corrected, dispatch_uid="channels.on_correct")
def on_correct(sender, issue, correction, **kwargs):
    tasks.start.delay(issue.pk, "correct", correction.pk)


@receiver(issue_withdrawn, dispatch_uid="channels.on_withdraw")
def on_withdraw(sender, issue, **kwargs):
    tasks.start.delay(issue.pk, "withdraw")
