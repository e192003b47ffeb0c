"""Snapshot pipeline speed and memory, against baselines measured in the same run.

    .venv/bin/python benchmarks/snapshots.py [--pages 500] [--size 40000] [--concurrency 8]
                                             [--repeat 5] [--pool processes|threads]

1. A local server (benchmarks/origin.py: its own process, asyncio, every response built first)
   serves N distinct news pages of about 40 KB that gzip compresses about 5:1, as real ones.
2. Baseline: a plain threaded http.client fetch of every page, same concurrency.
3. Pipeline: the real bulk capture (sources.pipeline.capture_many: claim a batch, checked fetch,
   each page's records appended to the batch's WARC file in storage, Snapshot rows finished as
   captured) of a queued snapshot per page, in the batches services.request_captures queues
   for that many parallel captures (SNAPSHOT_PARALLEL_CAPTURES = --concurrency), run with the
   same concurrency: worker processes, as Celery's prefork pool runs tasks (or threads:
   --pool threads).
   Baseline and pipeline run alternately --repeat times; the ratio is the median of the
   runs' pipeline / baseline pages per second.
   For reference, wget --warc-file (when installed) over the same pages, as wget runs: one
   process.
4. Text extraction (sources.pipeline.extract_many, the extract_snapshots task: read back from
   the WARC, trafilatura, text file, row finished as succeeded) of the same pages, its own rate.
5. The peak RSS of a worker process capturing one 200 MB response through the whole pipeline.

Without DATABASE_URL it uses a throw-away SQLite database and media directory.
"""

import argparse
import functools
import http.client
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.origin import BIG_BYTES, SENTENCES, page_body, serve  # noqa: E402


def plain_fetch(port: int, number: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", f"/page/{number}", headers={"Connection": "close"})
    body = connection.getresponse().read()
    connection.close()
    return len(body)


def setup_django(tmp: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "benchmark")
    os.environ.setdefault("AIDAILY_EMBEDDED", "1")  # captures run in this process, on purpose
    os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    os.environ["SNAPSHOT_ALLOW_PRIVATE_ADDRESSES"] = "1"  # the benchmark server is local
    os.environ["SNAPSHOT_MAX_BYTES"] = str(BIG_BYTES + 1024 * 1024)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidaily.settings")
    import django

    django.setup()


def wget_warc_rate(port: int, pages: int) -> float | None:
    """wget --warc-file over the same pages (one process, as wget runs), for reference."""
    if not shutil.which("wget"):
        return None
    with tempfile.TemporaryDirectory(prefix="aidaily-bench-wget-") as directory:
        urls = Path(directory, "urls.txt")
        urls.write_text("\n".join(f"http://127.0.0.1:{port}/page/{n}" for n in range(pages)))
        start = time.perf_counter()
        subprocess.run(
            [
                "wget",
                "-q",
                "-i",
                str(urls),
                "-O",
                "/dev/null",
                "--no-warc-keep-log",
                "--warc-file",
                str(Path(directory, "wget")),
            ],
            check=True,
        )
        return pages / (time.perf_counter() - start)


def timed_pool(function, items, concurrency: int) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(function, items))
    return time.perf_counter() - start


def fetch_and_warc(port: int, numbers: list[int]) -> None:
    """The capture's network and WARC work alone (no storage, no database), for the breakdown:
    each page's records, as a batch appends them to its file."""
    from sources import body, capture, fetcher

    policy = fetcher.Policy(user_agent="aidaily-benchmark", allow_private=True)
    for number in numbers:
        result = fetcher.fetch(f"http://127.0.0.1:{port}/page/{number}", policy)
        try:
            with body.spool() as handle:
                capture.write_records(result, handle)
        finally:
            result.close()


def _capture_batch(snapshot_ids: list[int]) -> None:
    from sources import pipeline

    pipeline.capture_many(snapshot_ids)


def _extract_batch(snapshot_ids: list[int]) -> None:
    from sources import pipeline

    pipeline.extract_many(snapshot_ids)


def _forget_parent_connections() -> None:
    """Each worker process opens its own connection, up front, as a running worker has one."""
    from django.db import connection, connections

    for inherited in connections.all(initialized_only=True):
        inherited.inc_thread_sharing()  # never close the parent's socket from the child
        inherited.connection = None
    connection.ensure_connection()


def _warm_up(snapshot_ids: list[int]) -> None:
    _capture_batch(snapshot_ids)
    time.sleep(0.1)  # long enough for every worker to take one


@contextmanager
def workers(port: int, concurrency: int, pool: str):
    """The capture workers, started once and each warmed up by one small capture, as the
    children of a running Celery worker are; yields a function that runs every batch,
    `concurrency` at a time, and returns the seconds it took.

    A fresh process spends its first batch copying the pages it shares with its parent and
    filling Django's caches (about 25 ms, 2,000 page faults): a pool forked anew for each run
    of 20 batches paid that in 8 of them, which a long-running worker pays once.
    """
    from django.db import connection

    from sources.services import batches

    if pool == "threads":
        # Each thread keeps its connection, as a worker with CONN_MAX_AGE > 0 does.
        executor = ThreadPoolExecutor(concurrency)
        run_map = executor.map
    else:
        connection.close()
        executor = multiprocessing.get_context("fork").Pool(
            concurrency, initializer=_forget_parent_connections
        )
        run_map = functools.partial(executor.map, chunksize=1)
    with executor:
        warm_up = queued_snapshots(port, range(concurrency * 2), tag="warm-up")
        list(run_map(_warm_up, batches(warm_up, parallel=concurrency)))

        def run(work, work_batches) -> float:
            start = time.perf_counter()
            list(run_map(work, work_batches))
            return time.perf_counter() - start

        yield run


def queued_snapshots(port: int, numbers, *, tag: str) -> list[int]:
    """A queued capture of a new source per page (the run's tag keeps the sources apart)."""
    from sources.models import Snapshot, Source

    return [
        Snapshot.objects.create(
            source=Source.objects.create(url=f"http://127.0.0.1:{port}/page/{n}?run={tag}")
        ).pk
        for n in numbers
    ]


def run_pipeline(run, port: int, pages: int, concurrency: int) -> tuple[float, list[int]]:
    """Capture every page in batches, as the capture_snapshots tasks do: the job split over
    the worker processes as services.request_captures splits it."""
    from sources.services import batches

    snapshots = queued_snapshots(port, range(pages), tag=str(time.time_ns()))
    seconds = run(_capture_batch, batches(snapshots, parallel=concurrency))
    _expect(snapshots, "captured")
    return seconds, snapshots


def _expect(snapshot_ids: list[int], status: str) -> None:
    from sources.models import Snapshot

    done = Snapshot.objects.filter(pk__in=snapshot_ids, status=status).count()
    if done != len(snapshot_ids):
        rows = Snapshot.objects.filter(pk__in=snapshot_ids).exclude(status=status)
        errors = set(rows.values_list("status", "error"))
        raise SystemExit(f"only {done}/{len(snapshot_ids)} snapshots are {status}: {errors}")


def run_extraction(run, snapshot_ids: list[int], concurrency: int) -> float:
    """Extraction as its own step, in batches as the extract_snapshots task runs it."""
    from sources.models import Snapshot
    from sources.services import batches

    seconds = run(_extract_batch, batches(snapshot_ids, parallel=concurrency))
    _expect(snapshot_ids, "succeeded")
    sample = Snapshot.objects.filter(pk__in=snapshot_ids).first()
    text = sample.text_file.read().decode()
    assert any(sentence[:30] in text for sentence in SENTENCES), text[:200]
    return seconds


def memory_child(port: int) -> None:
    """Run in a fresh process: capture one 200 MB response, print this process's peak RSS."""
    tmp = tempfile.mkdtemp(prefix="aidaily-bench-mem-")
    setup_django(tmp)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sources import pipeline
    from sources.models import Snapshot, Source

    idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    snapshot = Snapshot.objects.create(
        source=Source.objects.create(url=f"http://127.0.0.1:{port}/big")
    )
    start = time.perf_counter()
    pipeline.capture(snapshot_id=snapshot.pk)  # one capture, then its extraction
    seconds = time.perf_counter() - start
    snapshot.refresh_from_db()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{snapshot.status} {snapshot.size} {seconds:.1f} {idle} {peak}")


def runs(rates: list[float]) -> str:
    return "runs: " + ", ".join(f"{rate:.0f}" for rate in rates)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--size", type=int, default=40_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--pool", choices=["threads", "processes"], default="processes", help="capture workers"
    )
    parser.add_argument("--repeat", type=int, default=5, help="alternating runs; medians shown")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--skip-memory", action="store_true")
    return parser.parse_args()


def measure(args, port: int) -> dict:
    """Every rate of the run: plain fetches and captures alternately, then the breakdown and
    the extraction."""
    from sources.services import batches

    timed_pool(lambda n: plain_fetch(port, n), range(20), args.concurrency)  # warm-up
    # The two are measured alternately, `--repeat` times, and the medians compared: a run of
    # 500 pages lasts under a second, and these machines are noisy.
    plain_rates, capture_rates, ratios = [], [], []
    with workers(port, args.concurrency, args.pool) as run:
        for _ in range(args.repeat):
            plain = timed_pool(lambda n: plain_fetch(port, n), range(args.pages), args.concurrency)
            capture_seconds, snapshot_ids = run_pipeline(run, port, args.pages, args.concurrency)
            plain_rates.append(args.pages / plain)
            capture_rates.append(args.pages / capture_seconds)
            ratios.append(capture_rates[-1] / plain_rates[-1])
        every_page = batches(list(range(args.pages)), parallel=args.concurrency)
        warc_only = run(functools.partial(fetch_and_warc, port), every_page)
        extract = run_extraction(run, snapshot_ids, args.concurrency)
    return {
        "plain": plain_rates,
        "capture": capture_rates,
        "ratios": ratios,
        "warc_only": args.pages / warc_only,
        "extract": args.pages / extract,
    }


def print_rates(args, port: int, rates: dict) -> None:
    # Every run's rate, not only the median: on a shared two-core machine the plain client's
    # rate swings by half from one run to the next while the pipeline's holds.
    plain, capture, ratios = rates["plain"], rates["capture"], rates["ratios"]
    print(f"plain http.client fetch:          {median(plain):8.1f} pages/s ({runs(plain)})")
    print(f"  checked fetch + WARC, no DB:    {rates['warc_only']:8.1f} pages/s (breakdown)")
    print(f"capture (fetch + WARC + row):     {median(capture):8.1f} pages/s ({runs(capture)})")
    wget = wget_warc_rate(port, args.pages)
    if wget is not None:
        print(f"  wget --warc-file, one process:  {wget:8.1f} pages/s (reference)")
    print(
        f"ratio capture / plain:            {median(ratios):8.2f}  (goal >= 0.5; median of "
        f"{args.repeat}: {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    print(f"text extraction (own step):       {rates['extract']:8.1f} pages/s")


def print_memory(port: int) -> None:
    """The peak RSS of a fresh worker process capturing the 200 MB response."""
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(port)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "MEDIA_ROOT"},
        check=True,
    )
    status, size, seconds, idle, peak = child.stdout.split()[-5:]
    print(
        f"200 MB response: {status}, {int(size) / 1024 / 1024:.0f} MB stored in {seconds} s; "
        f"worker peak RSS {int(peak) / 1024:.0f} MB (idle {int(idle) / 1024:.0f} MB; "
        "goal < 150 MB)"
    )


def main() -> None:
    args = arguments()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    port_queue = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=serve, args=(port_queue, args.size, args.pages), daemon=True
    )
    server.start()
    port = port_queue.get(timeout=10)
    setup_django(tempfile.mkdtemp(prefix="aidaily-bench-"))
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(
        f"{args.pages} pages of {len(page_body(0, args.size)):,} bytes, "
        f"concurrency {args.concurrency} ({args.pool} for captures), database {connection.vendor}"
    )
    print_rates(args, port, measure(args, port))
    if not args.skip_memory:
        print_memory(port)
    server.terminate()


if __name__ == "__main__":
    main()
