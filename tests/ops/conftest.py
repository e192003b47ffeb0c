"""Worker processes a fault test can kill and start again (the shared fixture starts one only)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from aidaily.celery import app as celery_app

from ..conftest import BASE_DIR


class Workers:
    """Starts `celery -A aidaily worker` processes on the test database and broker."""

    def __init__(self, *, broker_url: str, media_root: str, log_dir: Path):
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "CELERY_BROKER_URL": broker_url,
            "MEDIA_ROOT": media_root,
            "SNAPSHOT_ALLOW_PRIVATE_ADDRESSES": "1",
            "SECRET_KEY": settings.SECRET_KEY,
            "EMAIL_URL": "dummymail://",
        }
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(self, **extra_env: str) -> subprocess.Popen:
        """Start one worker (its own process group, so a kill takes its children too)."""
        number = len(self.processes) + 1
        log_path = self.log_dir / f"worker-{number}.log"
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [
                    celery, "-A", "aidaily", "worker", "--pool=threads", "--concurrency=4",
                    "-Q", "default,snapshots,mail", "--without-gossip", "--without-mingle",
                    "--loglevel=INFO", "-n", f"fault-{os.getpid()}-{number}@%h",
                ],
                cwd=BASE_DIR,
                env={**self.env, **extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        process.log_path = log_path
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while b"ready." not in log_path.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                self.kill(process)
                pytest.fail(f"the Celery worker did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        return process

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL the worker and everything it started: no shutdown, no acknowledgement."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.kill(process)


@pytest.fixture
def workers(postgres, redis_broker, transactional_db, media_root, tmp_path):
    """Start, kill and restart real workers; every one still running is stopped at the end."""
    import redis

    redis.Redis.from_url(redis_broker).flushdb()  # no tasks left over from an earlier run
    # Tasks go through the broker to these workers, not in-process (as with `celery_worker`).
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = False
    pool = Workers(broker_url=redis_broker, media_root=media_root, log_dir=tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous
