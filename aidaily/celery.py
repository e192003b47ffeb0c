"""The Celery app: `celery -A aidaily worker`, `celery -A aidaily beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidaily.settings")

app = Celery("aidaily")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
