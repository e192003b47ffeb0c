"""Faults survived with the real services: PostgreSQL and Redis restarted under a running worker.

These restart the machine's PostgreSQL and Redis (quickly, and always bring them back in a
`finally`). Run them alone with `pytest -m faults`; `-m "not faults"` leaves them out.
The probe task is `events.tasks.publish_due_issues` on a scheduled issue the publish gate refuses:
a run that reaches the database logs a "publish_failed" row the editor sees (a repeated refusal
is logged once, so the tests clear the log between runs).
"""

import datetime
import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from events.models import Issue, TransitionLog
from events.tasks import publish_due_issues

from ..conftest import celery_worker_env, wait_for
from ..factories import IssueFactory

pytestmark = [
    pytest.mark.faults,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]

REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
    "--save", "", "--appendonly", "no",
]  # fmt: skip


def pg_cluster() -> list[str]:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def redis_ready() -> bool:
    ping = subprocess.run(["redis-cli", "ping"], capture_output=True, text=True, check=False)
    return ping.stdout.strip() == "PONG"


def restart_postgres():
    """Restart PostgreSQL (fast mode: every open connection is cut) and wait for it."""
    try:
        subprocess.run([*pg_cluster(), "restart"], check=True, timeout=60)
        wait_for(postgres_ready, timeout=30, message="PostgreSQL back")
    finally:
        if not postgres_ready():
            subprocess.run([*pg_cluster(), "start"], check=False, timeout=60)
    connection.close()  # the test's own connection was cut too


def restart_redis():
    """Restart Redis without persistence, as a crash would, and wait for it."""
    try:
        subprocess.run(["redis-cli", "shutdown", "nosave"], check=False, timeout=30)
        wait_for(lambda: not redis_ready(), timeout=10, message="Redis down")
        subprocess.run(REDIS_START, check=True, timeout=30)
        wait_for(redis_ready, timeout=30, message="Redis back")
    finally:
        if not redis_ready():
            subprocess.run(REDIS_START, check=False, timeout=30)


@pytest.fixture
def fault_tools():
    missing = [t for t in ("pg_ctlcluster", "redis-server", "redis-cli") if not shutil.which(t)]
    if missing or os.geteuid() != 0:
        pytest.skip(f"restarting the services needs root and {missing or 'the service tools'}")


@pytest.fixture
def persistent_worker_connections(monkeypatch):
    """The worker keeps its database connection between tasks, as production does."""
    monkeypatch.setattr(celery_worker_env, "extra", {"CONN_MAX_AGE": "60"})


@pytest.fixture
def scheduled_issue(postgres):
    """Due for publication but refused by the gate: each run of the task logs one refusal."""
    issue = IssueFactory(with_conclusions=3)
    # Straight to "scheduled": content saved after approval would send it back to review.
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.SCHEDULED, publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    return issue


def refusals(issue) -> int:
    return TransitionLog.objects.filter(issue=issue, action="publish_failed").count()


def clear_refusals(issue) -> None:
    """The workflow does not log the same refusal twice in a row: clear it before the next run."""
    TransitionLog.objects.filter(issue=issue, action="publish_failed").delete()


def succeeded_in_worker_log(log_path: Path, task_id: str) -> bool:
    pattern = re.compile(rf"\[{re.escape(task_id)}\] SUCCESS")
    return bool(pattern.search(log_path.read_text(errors="replace")))


def test_a_task_succeeds_after_postgresql_restarts_under_an_idle_worker(
    fault_tools, persistent_worker_connections, scheduled_issue, celery_worker, tmp_path
):
    log_path = tmp_path / "worker.log"
    before = publish_due_issues.delay()
    wait_for(lambda: refusals(scheduled_issue) == 1, timeout=30, message="the first run")
    assert succeeded_in_worker_log(log_path, before.id)
    clear_refusals(scheduled_issue)

    restart_postgres()
    after = publish_due_issues.delay()

    wait_for(lambda: refusals(scheduled_issue) == 1, timeout=60, message="the run after restart")
    wait_for(lambda: succeeded_in_worker_log(log_path, after.id), timeout=10, message="success")
    assert celery_worker.poll() is None  # the worker itself survived


def database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def test_tasks_in_progress_complete_and_new_ones_run_after_redis_restarts(
    fault_tools, scheduled_issue, celery_worker, tmp_path
):
    log_path = tmp_path / "worker.log"
    # Another session holds the issue's row lock: the tasks block inside the workflow, in
    # progress, while Redis goes away under them.
    with psycopg.connect(database_url()) as holder:
        holder.execute("SELECT id FROM events_issue WHERE id = %s FOR UPDATE", [scheduled_issue.pk])
        in_progress = [publish_due_issues.delay() for _ in range(2)]
        wait_for(lambda: _blocked_on_the_lock(holder) == 2, timeout=30, message="two tasks blocked")

        restart_redis()
        holder.rollback()  # release: the blocked tasks finish

    wait_for(lambda: refusals(scheduled_issue) == 1, timeout=60, message="the runs finished")
    for result in in_progress:
        wait_for(lambda r=result: succeeded_in_worker_log(log_path, r.id), timeout=10)
    clear_refusals(scheduled_issue)

    # The worker reconnected to the new Redis: what beat queues next still runs.
    after = publish_due_issues.delay()
    wait_for(lambda: refusals(scheduled_issue) == 1, timeout=60, message="the run after restart")
    wait_for(lambda: succeeded_in_worker_log(log_path, after.id), timeout=10, message="success")
    assert celery_worker.poll() is None


def _blocked_on_the_lock(holder) -> int:
    """How many sessions of the test database wait for a lock (held by `holder`, or queued)."""
    # A fresh connection: pg_stat_activity is a snapshot for the length of a transaction.
    with psycopg.connect(database_url(), autocommit=True) as watcher:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> %s AND cardinality(pg_blocking_pids(pid)) > 0",
            [holder.info.backend_pid],
        ).fetchone()
    return row[0]
