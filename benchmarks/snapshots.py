"""Snapshot pipeline speed and memory, against baselines measured in the same run.

    .venv/bin/python benchmarks/snapshots.py [--pages 500] [--size 40000] [--concurrency 8]
                                             [--repeat 5] [--pool processes|threads]

1. A local server (its own process, asyncio, every response built before the first run)
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
import random
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
BIG_BYTES = 200 * 1024 * 1024


SENTENCES = [
    "The company said the agreement covers several gigawatts of data-centre capacity over the "
    "next {n} years.",
    "Analysts expect demand for accelerators to outstrip supply until at least {y}.",
    "A spokesperson declined to comment on the terms, citing confidentiality.",
    "The model was trained on a cluster of {n},000 chips, according to the technical report.",
    "Regulators in Brussels have asked for more detail on how the system is evaluated for safety.",
    "Shares rose {p} per cent in early trading after the announcement.",
    "The research team released the weights under an open licence on {d} April.",
    "Independent benchmarks published last week put the system ahead on coding tasks but "
    "behind on long-context retrieval.",
    "Power constraints, rather than chips, are now the main bottleneck for new campuses, "
    "engineers say.",
    "The deal values the start-up at about ${n} billion, people familiar with the matter said.",
    "Export rules announced in {y} restrict shipments of the most capable processors.",
    "The lab said the new version halves the cost of inference for enterprise customers.",
    "Critics argue the evaluation does not reflect how the tools are used in practice.",
    "The paper reports a {p} per cent improvement over the previous state of the art.",
    "Developers will be able to use the model through the company's cloud platform next month.",
    "Officials said the framework would be reviewed after {n} months.",
]
SECTIONS = ["world", "business", "technology", "science", "markets", "policy", "opinion", "video"]
NAV = "".join(f'<li><a class="nav-link" href="/{s}/">{s.title()}</a></li>' for s in SECTIONS)


def page_body(number: int, size: int) -> bytes:
    """A distinct news-article page of about `size` bytes that compresses like a real one.

    Site chrome around paragraphs of recombined sentences, with the ids and tracked links real
    pages carry: gzip takes it to about a fifth of its size, at about the CPU real pages cost
    (a page of one repeated paragraph compressed 100:1 and made the WARC look four times
    cheaper than it is).
    """
    rng = random.Random(number)
    head = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Story {number}"
        "</title><meta name='date' content='2026-04-07'><link rel='stylesheet' "
        "href='/static/site.css'></head><body><header class='site-header'><a class='logo' "
        f"href='/'>The Daily Record</a><nav><ul>{NAV}</ul></nav></header><main><article>"
        f"<h1>Story {number}</h1>"
    )
    tail = f"</article></main><footer><p>&copy; 2026 The Daily Record</p><ul>{NAV}</ul></footer>"
    tail += "</body></html>"
    parts, length = [head], len(head) + len(tail)
    while length < size:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            sentence = rng.choice(SENTENCES).format(
                n=rng.randint(2, 90),
                y=rng.randint(2025, 2030),
                p=rng.randint(1, 40),
                d=rng.randint(1, 30),
            )
            if rng.random() < 0.5:
                sentence += (
                    f' <a href="/{rng.choice(SECTIONS)}/{rng.getrandbits(40):x}-'
                    f'{rng.randint(1, 99999)}" data-track="{rng.getrandbits(64):016x}">'
                    "Read more</a>"
                )
            sentences.append(sentence)
        paragraph = (
            f'<p id="p-{rng.getrandbits(32):08x}" data-block="{rng.getrandbits(48):012x}">'
            f"{' '.join(sentences)}</p>\n"
        )
        parts.append(paragraph)
        length += len(paragraph)
    return ("".join(parts) + tail).encode()


def serve(port_queue, size: int, pages: int) -> None:
    """Serve the pages from one asyncio process, each response built once and written whole.

    The origin's CPU is not the worker's in production; on a two-core machine a server that
    spends half a millisecond per page (http.server's thread per connection) takes CPU from
    whichever side uses both cores, which the pipeline's processes do and the plain client's
    threads (one interpreter) do not.
    """
    import asyncio

    responses: dict[int, bytes] = {}

    def response(number: int) -> bytes:
        if number not in responses:
            body = page_body(number, size)
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            responses[number] = head.encode() + body
        return responses[number]

    async def big(writer) -> None:
        chunk = b"<p>" + b"x" * 1020 + b"</p>"
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            + f"Content-Length: {BIG_BYTES}\r\nConnection: close\r\n\r\n".encode()
        )
        for _ in range(BIG_BYTES // len(chunk)):
            writer.write(chunk)
            await writer.drain()

    async def handle(reader, writer) -> None:
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1].decode().split("?", 1)[0]
            if path == "/big":
                await big(writer)
            else:
                writer.write(response(int(path.rsplit("/", 1)[-1])))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    for number in range(pages):  # built before the first run, so no run pays for them
        response(number)

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


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
    sys.path.insert(0, str(ROOT))
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
    from sources import capture, fetcher

    policy = fetcher.Policy(user_agent="aidaily-benchmark", allow_private=True)
    for number in numbers:
        result = fetcher.fetch(f"http://127.0.0.1:{port}/page/{number}", policy)
        try:
            with fetcher.spool() as handle:
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


def main() -> None:
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
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return

    port_queue = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=serve, args=(port_queue, args.size, args.pages), daemon=True
    )
    server.start()
    port = port_queue.get(timeout=10)
    tmp = tempfile.mkdtemp(prefix="aidaily-bench-")
    setup_django(tmp)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from sources.services import batches

    print(
        f"{args.pages} pages of {len(page_body(0, args.size)):,} bytes, "
        f"concurrency {args.concurrency} ({args.pool} for captures), database {connection.vendor}"
    )
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
    # Every run's rate, not only the median: on a shared two-core machine the plain client's
    # rate swings by half from one run to the next while the pipeline's holds.
    plain_rate, capture_rate = median(plain_rates), median(capture_rates)
    print(f"plain http.client fetch:          {plain_rate:8.1f} pages/s ({runs(plain_rates)})")
    print(f"  checked fetch + WARC, no DB:    {args.pages / warc_only:8.1f} pages/s (breakdown)")
    print(f"capture (fetch + WARC + row):     {capture_rate:8.1f} pages/s ({runs(capture_rates)})")
    wget = wget_warc_rate(port, args.pages)
    if wget is not None:
        print(f"  wget --warc-file, one process:  {wget:8.1f} pages/s (reference)")
    print(
        f"ratio capture / plain:            {median(ratios):8.2f}  (goal >= 0.5; median of "
        f"{args.repeat}: {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    print(f"text extraction (own step):       {args.pages / extract:8.1f} pages/s")

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
