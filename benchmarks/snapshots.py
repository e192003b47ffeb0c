"""Snapshot pipeline speed and memory, against baselines measured in the same run.

    .venv/bin/python benchmarks/snapshots.py [--pages 500] [--size 40000] [--concurrency 8]

1. A local server (its own process) serves N distinct pages of about 40 KB.
2. Baseline: a plain threaded http.client fetch of every page, same concurrency.
3. Pipeline: the real capture (checked fetch, WARC via warcio into storage, Snapshot row) of a
   queued snapshot per page, same concurrency, in threads like the baseline (or in worker
   processes, as Celery's prefork pool runs them: --pool processes). Ratio = pipeline / baseline
   pages per second.
4. Text extraction (trafilatura) of the same pages, read back from their WARCs, as its own rate.
5. The peak RSS of a worker process capturing one 200 MB response through the whole pipeline.

Without DATABASE_URL it uses a throw-away SQLite database and media directory.
"""

import argparse
import http.client
import http.server
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIG_BYTES = 200 * 1024 * 1024


def page_body(number: int, size: int) -> bytes:
    """A distinct, realistic-looking article page of about `size` bytes."""
    head = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Story {number}"
        f"</title><meta name='date' content='2026-04-07'></head><body><article><h1>Story "
        f"{number}</h1>"
    )
    paragraph = (
        f"<p>Paragraph about story {number}: compute suppliers signed multi-gigawatt deals, "
        "and analysts expect capacity to stay tight through next year.</p>"
    )
    body = head + paragraph * ((size - len(head)) // len(paragraph)) + "</article></body></html>"
    return body.encode()


def serve(port_queue, size: int) -> None:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/big":
                chunk = b"<p>" + b"x" * 1020 + b"</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(BIG_BYTES))
                self.send_header("Connection", "close")
                self.end_headers()
                for _ in range(BIG_BYTES // len(chunk)):
                    self.wfile.write(chunk)
                return
            number = int(self.path.split("?", 1)[0].rsplit("/", 1)[-1])
            body = page_body(number, size)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def plain_fetch(port: int, number: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", f"/page/{number}", headers={"Connection": "close"})
    body = connection.getresponse().read()
    connection.close()
    return len(body)


def setup_django(tmp: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "benchmark")
    os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    os.environ["SNAPSHOT_ALLOW_PRIVATE_ADDRESSES"] = "1"  # the benchmark server is local
    os.environ["SNAPSHOT_MAX_BYTES"] = str(BIG_BYTES + 1024 * 1024)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidaily.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def timed_pool(function, items, concurrency: int) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(function, items))
    return time.perf_counter() - start


def fetch_and_warc(port: int, number: int) -> None:
    """The capture's network and WARC work alone (no storage, no database), for the breakdown."""
    from sources import capture, fetcher

    policy = fetcher.Policy(user_agent="aidaily-benchmark", allow_private=True)
    result = fetcher.fetch(f"http://127.0.0.1:{port}/page/{number}", policy)
    try:
        with tempfile.TemporaryFile() as handle:
            capture.write_warc(result, handle, filename="page.warc.gz")
    finally:
        result.close()


def _capture_in_process(snapshot_id: int) -> None:
    from django.db import connection

    from sources import services

    try:
        services.capture(snapshot_id=snapshot_id, extract=False)
    finally:
        connection.close()


def _forget_parent_connections() -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.inc_thread_sharing()  # never close the parent's socket from the child
        connection.connection = None


def run_pipeline(
    port: int, pages: int, concurrency: int, pool: str = "processes"
) -> tuple[float, list[int]]:
    """Capture every page; "processes" is a prefork worker (Celery's default pool)."""
    from django.db import connection

    from sources import services
    from sources.models import Snapshot, Source

    run_id = int(time.time())
    snapshots = [
        Snapshot.objects.create(
            source=Source.objects.create(url=f"http://127.0.0.1:{port}/page/{n}?run={run_id}")
        ).pk
        for n in range(pages)
    ]

    def capture(snapshot_id: int) -> None:
        # Each thread keeps its connection, as a worker with CONN_MAX_AGE > 0 does.
        services.capture(snapshot_id=snapshot_id, extract=False)

    if pool == "threads":
        seconds = timed_pool(capture, snapshots, concurrency)
    else:
        connection.close()
        context = multiprocessing.get_context("fork")
        with context.Pool(concurrency, initializer=_forget_parent_connections) as workers:
            start = time.perf_counter()
            workers.map(_capture_in_process, snapshots, chunksize=4)
            seconds = time.perf_counter() - start
    succeeded = Snapshot.objects.filter(pk__in=snapshots, status="succeeded").count()
    if succeeded != pages:
        errors = set(Snapshot.objects.filter(pk__in=snapshots).values_list("error", flat=True))
        raise SystemExit(f"only {succeeded}/{pages} captures succeeded: {errors}")
    return seconds, snapshots


def run_extraction(snapshot_ids: list[int]) -> float:
    """Extraction as its own step: read each page back from its WARC, extract its text."""
    from sources import archive_reader, extraction
    from sources.models import Snapshot

    snapshots = list(Snapshot.objects.filter(pk__in=snapshot_ids))
    start = time.perf_counter()
    for snapshot in snapshots:
        with snapshot.warc_file.open("rb") as handle:
            record = archive_reader.final_response(handle)
            body = record.content_stream().read()
        found = extraction.extract_html(body, snapshot.content_type, snapshot.final_url)
        assert "Paragraph about story" in found.text
    return time.perf_counter() - start


def memory_child(port: int) -> None:
    """Run in a fresh process: capture one 200 MB response, print this process's peak RSS."""
    tmp = tempfile.mkdtemp(prefix="aidaily-bench-mem-")
    setup_django(tmp)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sources import services
    from sources.models import Snapshot, Source

    idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    snapshot = Snapshot.objects.create(
        source=Source.objects.create(url=f"http://127.0.0.1:{port}/big")
    )
    start = time.perf_counter()
    services.capture(snapshot_id=snapshot.pk)
    seconds = time.perf_counter() - start
    snapshot.refresh_from_db()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{snapshot.status} {snapshot.size} {seconds:.1f} {idle} {peak}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--size", type=int, default=40_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--pool", choices=["threads", "processes"], default="threads", help="capture workers"
    )
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return

    port_queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(port_queue, args.size), daemon=True)
    server.start()
    port = port_queue.get(timeout=10)
    tmp = tempfile.mkdtemp(prefix="aidaily-bench-")
    setup_django(tmp)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    print(
        f"{args.pages} pages of {len(page_body(0, args.size)):,} bytes, "
        f"concurrency {args.concurrency} ({args.pool} for captures), database {connection.vendor}"
    )
    timed_pool(lambda n: plain_fetch(port, n), range(20), args.concurrency)  # warm-up

    plain = timed_pool(lambda n: plain_fetch(port, n), range(args.pages), args.concurrency)
    warc_only = timed_pool(lambda n: fetch_and_warc(port, n), range(args.pages), args.concurrency)
    pipeline, snapshot_ids = run_pipeline(port, args.pages, args.concurrency, args.pool)
    plain_rate, pipeline_rate = args.pages / plain, args.pages / pipeline
    print(f"plain http.client fetch:          {plain_rate:8.1f} pages/s")
    print(f"  checked fetch + WARC, no DB:    {args.pages / warc_only:8.1f} pages/s (breakdown)")
    print(f"capture (fetch + WARC + row):     {pipeline_rate:8.1f} pages/s")
    print(f"ratio capture / plain:            {pipeline_rate / plain_rate:8.2f}  (goal >= 0.5)")
    extract = run_extraction(snapshot_ids)
    print(f"text extraction (own step):       {args.pages / extract:8.1f} pages/s (1 thread)")

    if not args.skip_memory:
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
    server.terminate()


if __name__ == "__main__":
    main()
