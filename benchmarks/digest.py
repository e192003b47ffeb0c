"""Digest sending speed: real Celery workers against a raw smtplib loop, in one run.

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... \\
        .venv/bin/python benchmarks/digest.py [--subscribers 20000] [--workers 1 2 4]

Sends the project's sample issue (events/demo/sample-issue.txt) to N subscribers. The baseline
is the same messages, built beforehand, over one smtplib connection. The pipeline is the real
one: deliveries created, `send_mailing` queued on Redis, and `celery -A aidaily worker` processes
(prefork, one per lane) claiming batches with a lease on PostgreSQL, building each copy from the
stored rendering and marking each delivery as the server accepts it. Both send to Postfix's
`smtp-sink` (a C server: apt-get install postfix) when it is installed, else to aiosmtpd in
its own process, which caps every sender near its own speed. smtp-sink announces PIPELINING:
the pipeline then sends MAIL, RCPT and DATA in one write, while smtplib's sendmail, the
baseline, waits for each reply (aiosmtpd announces nothing, so both wait). For each worker
count it prints the time to hand the list to the server, that time for `--target` subscribers
(extrapolated from the measured rate when the list is smaller, and marked so), the rate's
ratio to raw smtplib and the CPU per message of the worker processes and of their PostgreSQL
backends (from /proc). Uses a throwaway test database on the PostgreSQL server that
DATABASE_URL names.
"""

import argparse
import itertools
import logging
import os
import shutil
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import smtpsink  # noqa: E402 - after the path it is found on

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidaily.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("AIDAILY_EMBEDDED", "1")
SEED = ROOT / "events" / "demo" / "sample-issue.txt"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def make_subscribers(n, prefix):
    from django.utils import timezone

    from newsletter.models import Subscriber

    now = timezone.now()
    Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"{prefix}{i}@bench.example", status="active", confirmed_at=now)
            for i in range(n)
        ],
        batch_size=5000,
    )


@contextmanager
def no_captures():
    """The sample cites real sites: importing it would capture them (resolving openai.com and the
    rest) in this process. The benchmark measures sending, so its sources stay uncaptured."""
    from django.db.models.signals import post_save

    from events.models import Citation
    from events.receivers import capture_newly_cited_source

    post_save.disconnect(capture_newly_cited_source, sender=Citation)
    try:
        yield
    finally:
        post_save.connect(capture_newly_cited_source, sender=Citation)


def published_issue():
    from django.utils import timezone

    from events.dailyformat.importer import import_text
    from events.models import Issue

    with no_captures():
        issue = import_text(SEED.read_text(encoding="utf-8")).issue
    Issue.objects.filter(pk=issue.pk).update(status="published", published_at=timezone.now())
    issue.refresh_from_db()
    return issue


def another_mailing(mailing, label: str):
    """A fresh mailing of the same rendering, so each run sends the same bytes to everyone."""
    from events.models import Correction
    from newsletter.models import Mailing

    return Mailing.objects.create(
        issue=mailing.issue,
        kind=Mailing.Kind.CORRECTION,
        correction=Correction.objects.create(issue=mailing.issue, text=label),
        subject=mailing.subject,
        html=mailing.html,
        text=mailing.text,
    )


def raw_loop(port, messages, envelope_from) -> float:
    """The baseline: pre-built messages over one smtplib connection, nothing else."""
    started = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for to, data in messages:
        smtp.sendmail(envelope_from, [to], data)
    smtp.quit()
    return time.perf_counter() - started


def raw_rate(port, mailing, sample: int) -> float:
    """Messages per second of the raw loop over the first `sample` subscribers."""
    from newsletter.message import MessageTemplate
    from newsletter.models import Subscriber

    template = MessageTemplate.for_mailing(mailing)
    recipients = Subscriber.objects.order_by("pk").values_list("email", "token")[:sample]
    messages = [
        (to, template.build(to=to, token=token, message_id=template.message_id("raw", i)))
        for i, (to, token) in enumerate(recipients)
    ]
    size = sum(len(data) for _to, data in messages) / len(messages)
    print(f"message: {size / 1024:.1f} KB on the wire (HTML {len(mailing.html)} characters)")
    seconds = raw_loop(port, messages, template.envelope_from)
    rate = len(messages) / seconds
    print(f"raw smtplib loop, pre-built: {len(messages)} in {seconds:.2f} s = {rate:.0f} msg/s")
    return rate


def commit_latency(samples: int = 200) -> float:
    """Median milliseconds of one durable one-row UPDATE on the test database.

    Every message costs one such commit before its final dot (the record that makes a crash
    leave it `sending`, never re-sent), so 1000 / this is the ceiling of one lane.
    """
    from django.db import connection

    timings = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_commit (id int PRIMARY KEY, n int)")
        cursor.execute("INSERT INTO bench_commit VALUES (1, 0)")
        for _ in range(samples):
            started = time.perf_counter()
            cursor.execute("UPDATE bench_commit SET n = n + 1 WHERE id = 1")
            timings.append((time.perf_counter() - started) * 1000)
        cursor.execute("DROP TABLE bench_commit")
    return statistics.median(timings)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):  # it has just exited
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_of(pid: int) -> list[int]:
    """The worker's pool processes (one file to read, not a scan of every process)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [int(child) for child in children]


def backends(database: str) -> list[int]:
    """The PostgreSQL backends serving the test database, this process's own left out."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU seconds of the worker's processes and of the test database's backends since start.

    Celery closes the database connection after every task, so each batch has a backend of its
    own that exits with it: sampled often, the last moments of each are missed (an underestimate
    by a few statements per batch of NEWSLETTER_BATCH_SIZE messages).
    """

    def __init__(self, worker_pid: int, database: str):
        self.worker_pid, self.database = worker_pid, database
        self.start = self._read()
        self.latest = dict(self.start)

    def _read(self) -> dict:
        workers = [self.worker_pid, *children_of(self.worker_pid)]
        found = {("worker", pid): cpu_seconds(pid) for pid in workers}
        found.update({("database", pid): cpu_seconds(pid) for pid in backends(self.database)})
        return found

    def sample(self) -> None:
        for key, cpu in self._read().items():
            self.latest[key] = max(self.latest.get(key, 0.0), cpu)

    def used(self, kind: str) -> float:
        return sum(
            cpu - self.start.get(key, 0.0) for key, cpu in self.latest.items() if key[0] == kind
        )


def worker_env(port: int, processes: int) -> dict:
    from django.db import connection

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "NEWSLETTER_LANES": str(processes),  # one batch in flight per worker process
        "NEWSLETTER_RATE_LIMIT": "0",
        "CONN_MAX_AGE": "60",  # as the operations guide advises
        "SITE_URL": "https://daily.example.org",
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def celery_worker(port: int, processes: int):
    """`celery -A aidaily worker` on the mail queue, prefork, `processes` children."""
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    command = [celery, "-A", "aidaily", "worker", "--pool=prefork", f"--concurrency={processes}"]
    command += ["-Q", "mail", "--without-gossip", "--without-mingle", "--loglevel=INFO"]
    command += ["-n", f"bench-{os.getpid()}-{processes}@%h"]
    env = worker_env(port, processes)
    with tempfile.NamedTemporaryFile(prefix="aidaily-bench-worker-", suffix=".log") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        with smtpsink.stopped_at_exit(process):
            deadline = time.monotonic() + 60
            while b"ready." not in Path(log.name).read_bytes():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the worker did not start:\n{Path(log.name).read_text()}")
                time.sleep(0.1)
            yield process


def hand_over(mailing, n: int, meter: CpuMeter, timeout: float) -> float:
    """Create the deliveries, queue the send, wait until the server has accepted every one."""
    from newsletter import sending
    from newsletter.models import Delivery
    from newsletter.tasks import send_mailing

    started = time.perf_counter()
    sending.create_deliveries(mailing)
    send_mailing.delay(mailing.pk)
    pending = Delivery.objects.filter(mailing=mailing).exclude(status="sent")
    for tick in itertools.count():
        meter.sample()
        if tick % 4:
            time.sleep(0.05)
            continue
        if not pending.exists():
            return time.perf_counter() - started
        stuck = pending.filter(status__in=["failed", "uncertain", "skipped"]).exists()
        if stuck or time.perf_counter() - started > timeout:
            raise RuntimeError(f"not all sent: {pending.model.objects.counts_by_status()}")


def measure_width(sink, mailing, processes: int, args, raw: float) -> float:
    """One run with `processes` worker processes; prints its figures, returns its rate."""
    from django.db import connection

    _name, port, received = sink
    n = args.subscribers
    with celery_worker(port, processes) as worker:
        meter, accepted = CpuMeter(worker.pid, connection.settings_dict["NAME"]), received()
        seconds = hand_over(mailing, n, meter, timeout=args.timeout)
    wait_until(lambda: received() - accepted >= n)
    assert received() - accepted == n, (received(), accepted, n)
    rate = n / seconds
    worker_cpu, db_cpu = meter.used("worker"), meter.used("database")
    print(
        f"pipeline, {processes} worker process(es): {n} in {seconds:.2f} s = {rate:.0f} msg/s, "
        f"ratio to raw {rate / raw:.2f}; CPU per message {1000 * (worker_cpu + db_cpu) / n:.2f} ms "
        f"(workers {1000 * worker_cpu / n:.2f}, PostgreSQL {1000 * db_cpu / n:.2f})"
    )
    target = args.target
    how = "measured" if n >= target else f"EXTRAPOLATED from {n} at {rate:.0f} msg/s"
    print(f"  {target} subscribers with {processes}: {target * seconds / n / 60:.1f} min ({how})")
    return rate


def wait_until(predicate, timeout: float = 10) -> None:
    """The sink counts a message a moment after answering 250: give it that moment."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)


def run(args):
    from django.db import connection
    from kombu import Connection

    from aidaily.celery import app
    from newsletter import mailings

    if connection.vendor != "postgresql" or not app.conf.broker_url.startswith("redis"):
        raise SystemExit("needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis)")
    with Connection(app.conf.broker_url) as broker:
        broker.default_channel.queue_purge("mail")  # nothing left over from an earlier run
    with smtpsink.aiosmtpd_sink() if args.aiosmtpd else smtpsink.sink() as sink:
        print(f"sink: {sink[0]}; database: PostgreSQL; broker: Redis; {os.cpu_count()} cores")
        first = mailings.digest_for(published_issue())
        make_subscribers(args.subscribers, "reader")
        raw = raw_rate(sink[1], first, min(args.subscribers, args.raw_sample))
        commit = commit_latency()
        print(f"durable commit on PostgreSQL: median {commit:.2f} ms = {1000 / commit:.0f}/s")
        rates = {}
        for processes in args.workers:
            mailing = first if not rates else another_mailing(first, f"run {processes}")
            rates[processes] = measure_width(sink, mailing, processes, args, raw)
        summary(rates, raw)


def summary(rates: dict, raw: float) -> None:
    from django.conf import settings

    one, lanes = min(rates), settings.NEWSLETTER_LANES
    if lanes in rates:  # each worker process sends one lane, so this row is the default
        print(
            f"default configuration (NEWSLETTER_LANES={lanes}): {rates[lanes]:.0f} msg/s, "
            f"ratio to raw {rates[lanes] / raw:.2f} (goal >= 0.70)"
        )
    best = max(rates, key=rates.get)
    print(f"ratio pipeline / raw smtplib: {one} process {rates[one] / raw:.2f}, ", end="")
    print(f"best ({best} processes) {rates[best] / raw:.2f} (goal >= 0.70)")
    scaling = ", ".join(f"{p}: {rate / rates[one]:.2f}x" for p, rate in rates.items())
    print(f"scaling from {one} worker process: {scaling}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000, help="the list each run sends")
    parser.add_argument("--target", type=int, default=100_000, help="list size to report time for")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--raw-sample", type=int, default=10_000, help="messages the raw loop sends"
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed for one run")
    parser.add_argument("--aiosmtpd", action="store_true", help="the Python sink even if smtp-sink")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    for name in ("celery", "aidaily", "newsletter"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # A name of its own: the suite's test database (test_<name>) may exist beside it.
    connection.settings_dict["TEST"]["NAME"] = f"aidaily_bench_digest_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
