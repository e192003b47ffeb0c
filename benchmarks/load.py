"""Load test: 50 concurrent clients on the archive and issue pages, against gunicorn on PostgreSQL.

    python benchmarks/load.py [--clients 50] [--duration 30] [--workers 3]
        [--admin-url postgres://postgres@127.0.0.1:5432/postgres]

1. Creates a scratch database next to --admin-url, migrates it and seeds it with the demo data
   (`manage.py demo`: the published sample issue); falls back to the test factories if the
   demo cannot load.
2. Starts gunicorn on 127.0.0.1 (production settings: DEBUG off, persistent connections).
3. Baseline, in the same run: the same clients on /robots.txt (a trivial view through the same
   middleware) for a third of the duration.
4. Load: the clients alternate /issues/ and /issues/<date>/ for --duration seconds.
5. Prints requests, errors, throughput, p50/p99 latency per page and the ratio of throughput to
   the baseline; exits non-zero on any error. Drops the scratch database at the end.
"""

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

SEED_WITH_FACTORIES = """
import django; django.setup()
from tests.factories import IssueFactory, EventFactory
issue = IssueFactory(published=True, with_conclusions=3)
for rank in range(1, 6):
    EventFactory(issue=issue, rank=rank, verified=True)
"""
LATEST_DATE = """
import django; django.setup()
from events.models import Issue
print(Issue.objects.published().latest("date").date.isoformat())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def run(args, env, **kwargs):
    return subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, **kwargs)


def seed(env) -> str:
    """Migrate and load a published issue; returns its date."""
    migrate = run([sys.executable, "manage.py", "migrate", "--noinput"], env, timeout=600)
    if migrate.returncode:
        sys.exit(f"migrate failed:\n{migrate.stderr}")
    demo = run([sys.executable, "manage.py", "demo"], env, timeout=600)
    if demo.returncode:
        print(f"demo failed ({demo.stderr.strip().splitlines()[-1:]}); seeding with factories")
        factories = run([sys.executable, "-c", SEED_WITH_FACTORIES], env, timeout=600)
        if factories.returncode:
            sys.exit(f"seeding failed:\n{factories.stderr}")
    latest = run([sys.executable, "-c", LATEST_DATE], env, timeout=120)
    if latest.returncode:
        sys.exit(f"no published issue:\n{latest.stderr}")
    return latest.stdout.strip()


def start_gunicorn(env, port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "aidaily.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--timeout=60",
            "--backlog=2048",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
        if process.poll() is not None:
            sys.exit(f"gunicorn exited:\n{process.stderr.read().decode()}")
    process.kill()
    sys.exit("gunicorn did not answer /healthz within 60 s")


def load(port: int, paths: list[str], clients: int, duration: float) -> dict:
    """`clients` threads request `paths` in turn until `duration` elapses; returns the timings."""
    latencies = {path: [] for path in paths}
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    start = threading.Barrier(clients)

    def client(offset: int):
        start.wait()
        turn = offset
        while time.monotonic() < stop_at:
            path = paths[turn % len(paths)]
            turn += 1
            began = time.perf_counter()
            try:
                # gunicorn's sync workers close each connection: one connection per request.
                conn = HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
                failure = f"{path}: HTTP {response.status}"
            except OSError as exc:
                ok, failure = False, f"{path}: {exc.__class__.__name__}: {exc}"
            elapsed = time.perf_counter() - began
            with lock:
                if ok:
                    latencies[path].append(elapsed)
                else:
                    errors.append(failure)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors, "elapsed": time.monotonic() - began}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def report(title: str, result: dict) -> float:
    """Prints one block of figures; returns the throughput in requests per second."""
    every = [v for values in result["latencies"].values() for v in values]
    total = len(every) + len(result["errors"])
    rate = len(every) / result["elapsed"]
    print(f"{title}: {total} requests in {result['elapsed']:.1f} s, {len(result['errors'])} errors")
    print(
        f"  throughput {rate:.1f} req/s   p50 {percentile(every, 0.5) * 1000:.1f} ms   "
        f"p99 {percentile(every, 0.99) * 1000:.1f} ms"
    )
    for path, values in result["latencies"].items():
        if values:
            print(
                f"  {path:<24} {len(values):>6} ok   p50 {percentile(values, 0.5) * 1000:7.1f} ms"
                f"   p99 {percentile(values, 0.99) * 1000:7.1f} ms"
                f"   mean {statistics.fmean(values) * 1000:7.1f} ms"
            )
    for failure in sorted(set(result["errors"]))[:10]:
        print(f"  error: {failure}")
    return rate


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL role that may create and drop databases",
    )
    return parser.parse_args()


def environment(url: str, media: str) -> dict:
    """The settings gunicorn and the seeding commands run with: production, on the scratch
    database."""
    return {
        "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "aidaily.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "AIDAILY_EMBEDDED": "1",  # no broker: the pages under load queue no task
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",  # one log line per request would measure the terminal
        "MEDIA_ROOT": media,
    }


def stop(gunicorn: subprocess.Popen) -> None:
    gunicorn.terminate()
    try:
        gunicorn.wait(timeout=30)
    except subprocess.TimeoutExpired:
        gunicorn.kill()


def measure(options, env, port: int, name: str) -> bool:
    """Seed, start gunicorn, run the baseline and the load; True when any request failed."""
    date = seed(env)
    gunicorn = start_gunicorn(env, port, options.workers)
    try:
        load_avg = ", ".join(f"{v:.2f}" for v in os.getloadavg())
        print(
            f"aidaily load test: {options.clients} clients, gunicorn {options.workers} workers, "
            f"PostgreSQL database {name}, {os.cpu_count()} CPU cores, load average {load_avg}"
        )
        load(port, ["/issues/", f"/issues/{date}/"], options.clients, 2)  # warm caches
        baseline = load(port, ["/robots.txt"], options.clients, max(5.0, options.duration / 3))
        base_rate = report("baseline /robots.txt", baseline)
        result = load(port, ["/issues/", f"/issues/{date}/"], options.clients, options.duration)
        rate = report("archive + issue page", result)
        print(f"ratio to baseline: {rate / base_rate:.2f}" if base_rate else "no baseline")
        return bool(result["errors"] or baseline["errors"])
    finally:
        stop(gunicorn)


def main():
    options = arguments()
    name = f"aidaily_load_{secrets.token_hex(4)}"
    media = tempfile.TemporaryDirectory(prefix=f"{name}-media-")
    env = environment(database_url(options.admin_url, name), media.name)
    with psycopg.connect(options.admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        failed = measure(options, env, free_port(), name)
    finally:
        with psycopg.connect(options.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        media.cleanup()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
