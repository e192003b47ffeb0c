"""The Celery app: `celery -A aidaily worker`, `celery -A aidaily beat`."""

import os

from celery import Celery
from celery.signals import beat_init, celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidaily.settings")

app = Celery("aidaily")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
@beat_init.connect
def refuse_to_run_without_a_broker(**kwargs):
    """Without CELERY_BROKER_URL tasks run in the web process: a worker would wait on nothing."""
    if app.conf.broker_url.startswith("memory://"):
        # SystemExit, because Celery logs and ignores an ordinary error raised by a receiver.
        raise SystemExit(
            "CELERY_BROKER_URL is not set, so tasks run inside the web process and this "
            "worker would never receive one. Set CELERY_BROKER_URL=redis://HOST:6379/0 for the "
            "web, worker and beat processes alike."
        )
