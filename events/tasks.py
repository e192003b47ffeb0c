from celery import shared_task

from . import workflow


@shared_task
def publish_due_issues():
    """Beat, every minute: publish scheduled issues whose time has come."""
    return workflow.publish_due_issues()
