"""Two workers making the same issue's files at once (a redelivered task, a button pressed during
the publication run) leave one file per kind, current and on disk, and no orphan."""

import datetime
import threading
from pathlib import Path

import pytest
from django.db import connection

from editions import services
from editions.models import Edition

from ..factories import publishable_issue


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_leave_one_current_file_per_kind(postgres, fake_renderers, settings):
    issue = publishable_issue(date=datetime.date(2026, 4, 8), published=True)
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait(timeout=30)
            services.generate(issue_id=issue.pk, force=True)
        except Exception as error:  # reported below, with the thread's own traceback lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    editions = list(Edition.objects.filter(issue=issue))
    assert sorted(e.kind for e in editions) == sorted(Edition.Kind.values)
    assert all(services.current_edition(issue, e.kind) for e in editions)
    on_disk = {p.name for p in (Path(settings.MEDIA_ROOT) / "editions").rglob("*") if p.is_file()}
    assert on_disk == {Path(e.file.name).name for e in editions}
