"""Intake desk polling speed and memory, against feedparser alone on the same bytes.

    .venv/bin/python benchmarks/intake.py [--feeds 500] [--entries 50] [--stored 100000]
        [--quick] [--profile FILE] [--processes N] [--without-dedup]

1. A throw-away test database (a SQLite file, or PostgreSQL's test_<name> when DATABASE_URL is
   set) holds --stored entries spread over the 14-day dedup window, each with its MinHash band
   keys, as a busy desk's would.
2. A local server (its own process) serves --feeds RSS feeds of --entries entries each; every
   fifth answers 304 to a matching If-None-Match on the second round, the rest send the same
   bytes again without validators, and every 97th is broken.
3. Round one: intake.services.poll of every feed (checked fetch, parse, normalise, dedup against
   the window, store), one after another as one worker runs them. Round two: the same again.
4. The limit: feedparser parsing each first-round body alone in this process, timed feed by feed
   between the polls of round one.
5. The peak RSS of this process.

--quick is a few feeds on a small window, to check that the script still runs; --profile writes
cProfile statistics of round one to a file (read them with `python -m pstats FILE`).

--processes N polls both rounds with N processes, each taking every Nth feed, as a worker's pool
of N processes would (the compose file's worker runs four). The limit is then feedparser alone
in one process, parsing every body before and again after round one, the faster of the two: the
ratio compares N processes against one, which is what a deployment gets, not what the goal counts.

--without-dedup replaces the near-duplicate search by one that finds nothing (every entry starts
a story of its own): what polling costs without it, for weighing the goal against the design.

Goal: round one at least half of feedparser's rate; round two at most a tenth of round one.
"""

import argparse
import collections
import cProfile
import datetime
import http.server
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = (
    "model chip cloud agent robot policy funding launch open weights benchmark inference "
    "training datacentre power startup acquisition regulator safety reasoning video speech "
    "search coding enterprise device memory network partner contract billion record latency "
    "模型 芯片 算力 融资 开源 发布 推理 训练 监管 安全 机器人 数据中心 合作 企业 应用"
)
WORDS = VOCABULARY.split()


def feed_body(number: int, entries: int, when: datetime.datetime) -> bytes:
    rng = random.Random(number)
    items = []
    for index in range(entries):
        title = " ".join(rng.choice(WORDS) for _ in range(9)) + f" {number}-{index}"
        items.append(
            f"<item><title>{title}</title>"
            f"<link>https://outlet{number}.example.com/{index}?utm_source=rss</link>"
            f"<description>{' '.join(rng.choice(WORDS) for _ in range(40))}</description>"
            f"<pubDate>{format_datetime(when - datetime.timedelta(minutes=index))}</pubDate>"
            "</item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Outlet {number}</title>{''.join(items)}</channel></rss>"
    ).encode()


def serve(port_queue, feeds: int, entries: int) -> None:
    now = datetime.datetime.now(datetime.UTC)
    bodies = {n: feed_body(n, entries, now) for n in range(feeds)}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            number = int(self.path.rsplit("/", 1)[1].split(".")[0])
            etag = f'"{number}"'
            if number % 97 == 13:
                body, status, headers = b"<rss><channel><item>broken", 200, {}
            elif number % 5 == 0 and self.headers.get("If-None-Match") == etag:
                body, status, headers = b"", 304, {"ETag": etag}
            else:
                body, status = bodies[number], 200
                headers = {"ETag": etag} if number % 5 == 0 else {}
            self.send_response(status)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(httpd.server_address[1])
    httpd.serve_forever()


def setup_django(tmp: str) -> None:
    os.environ.setdefault("SECRET_KEY", "benchmark")
    os.environ.setdefault("AIDAILY_EMBEDDED", "1")
    os.environ["SNAPSHOT_ALLOW_PRIVATE_ADDRESSES"] = "1"  # the benchmark server is local
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidaily.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"{tmp}/bench.sqlite3"
    return connection.creation.create_test_db(verbosity=0, autoclobber=True)


def seed(stored: int) -> None:
    """Stored entries over the last 14 days, in stories of one to three entries."""
    from django.utils import timezone

    from intake.models import Entry, Feed, Story
    from intake.text import signature

    feed = Feed.objects.create(url="https://seed.example/feed", name="seed", enabled=False)
    now = timezone.now()
    rng = random.Random(1)
    batch = 5000
    for start in range(0, stored, batch):
        count = min(batch, stored - start)
        whens = [now - datetime.timedelta(seconds=rng.randrange(14 * 86400)) for _ in range(count)]
        stories = Story.objects.bulk_create(
            Story(title="seed", first_seen=w, entry_count=1, outlet_count=1) for w in whens
        )
        rows = []
        for n, (story, when) in enumerate(zip(stories, whens, strict=True)):
            title = " ".join(rng.choice(WORDS) for _ in range(9)) + f" seed-{start + n}"
            row = Entry(
                feed=feed,
                story=story,
                url=f"https://seed.example/{start + n}",
                title=title,
                published_at=when,
            )
            row.set_signature(signature(title))
            rows.append(row)
        Entry.objects.bulk_create(rows, batch_size=1000)
        print(f"  seeded {start + count} of {stored}", flush=True)


def analyze() -> None:
    """Planner statistics of the seeded tables, as a database in use has them (autovacuum would
    gather them a minute later; without them the planner scans the whole entry table)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def poll_round(feeds, label: str, bodies=None) -> tuple[float, float, dict]:
    """Poll every (number, feed) once; returns seconds polling, the limit in entries per second
    (when bodies, number → bytes, are given) and the outcomes. Each body is parsed by feedparser
    alone right before its feed is polled, so a machine busy with other work slows both alike."""
    import feedparser

    from intake import services

    outcomes: dict = {}
    polling = parsing = parsed = 0
    for done, (number, feed) in enumerate(feeds, 1):
        if bodies and number in bodies:
            started = time.perf_counter()
            parsed += len(feedparser.parse(bodies[number]).entries)
            parsing += time.perf_counter() - started
        started = time.perf_counter()
        poll = services.poll(feed=feed)
        polling += time.perf_counter() - started
        outcomes[poll.outcome] = outcomes.get(poll.outcome, 0) + 1
        outcomes["entries"] = outcomes.get("entries", 0) + poll.new_entries
        if done % 50 == 0 or done == len(feeds):
            print(f"  {label}: {done} of {len(feeds)} feeds, {polling:.1f} s polling", flush=True)
    return polling, (parsed / parsing if parsing else 0.0), outcomes


def pooled_round(feeds, label: str, processes: int) -> tuple[float, dict]:
    """Poll every feed once with `processes` forked processes, each taking every Nth feed;
    returns the wall-clock seconds of the whole round and the outcomes added up."""
    from django.db import connections

    connections.close_all()  # each process opens its own connection
    results = multiprocessing.Queue()
    started = time.perf_counter()
    workers = [
        multiprocessing.Process(target=_poll_share, args=(feeds[n::processes], label, results))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes: dict = {}
    for _worker in workers:
        for key, count in results.get().items():
            outcomes[key] = outcomes.get(key, 0) + count
    for worker in workers:
        worker.join()
    return time.perf_counter() - started, outcomes


def _poll_share(feeds, label, results) -> None:
    from django.db import connections

    _polling, _limit, outcomes = poll_round(feeds, label)
    connections.close_all()
    results.put(outcomes)


def feedparser_alone(bodies: dict) -> float:
    """Entries per second of feedparser parsing every body once, in this process."""
    import feedparser

    started = time.perf_counter()
    parsed = sum(len(feedparser.parse(body).entries) for body in bodies.values())
    return parsed / (time.perf_counter() - started)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="20 feeds of 10 on 500 stored")
    parser.add_argument("--profile", metavar="FILE", help="cProfile round one into FILE")
    parser.add_argument("--processes", type=int, default=1, help="poll with N processes")
    parser.add_argument(
        "--without-dedup", action="store_true", help="skip the near-duplicate search"
    )
    args = parser.parse_args()
    if args.quick:
        args.feeds, args.entries, args.stored = 20, 10, 500
    return args


def round_one(args, feeds, bodies) -> tuple[float, float, dict]:
    """Seconds of round one, the limit in entries per second, and the outcomes."""
    if args.processes > 1:
        before = feedparser_alone(bodies)
        first, outcomes = pooled_round(feeds, "round one", args.processes)
        return first, max(before, feedparser_alone(bodies)), outcomes  # the stricter limit
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    first, limit, outcomes = poll_round(feeds, "round one", bodies)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    return first, limit, outcomes


def measure(args, port: int) -> None:
    from intake import stories
    from intake.models import Entry, Feed

    if args.without_dedup:
        stories._candidates = lambda keys_of, since: collections.defaultdict(list)
        print("without the near-duplicate search: every entry is a story of its own")

    started = time.perf_counter()
    seed(args.stored)
    analyze()
    print(f"seeded {args.stored} stored entries in {time.perf_counter() - started:.1f} s")
    now = datetime.datetime.now(datetime.UTC)
    bodies = {n: feed_body(n, args.entries, now) for n in range(args.feeds) if n % 97 != 13}
    feeds = [
        (n, Feed.objects.create(url=f"http://127.0.0.1:{port}/feed/{n}.xml", name=f"Outlet {n}"))
        for n in range(args.feeds)
    ]
    first, limit, outcomes = round_one(args, feeds, bodies)
    del bodies
    rate = outcomes["entries"] / first
    print(f"feedparser alone:  {limit:8.0f} entries/s (the limit, one process)")
    print(
        f"round one:         {rate:8.0f} entries/s = {rate / limit:.2f} of the limit "
        f"(goal >= 0.5); {first:.1f} s with {args.processes} process(es), {outcomes}"
    )
    again = [(n, Feed.objects.get(pk=f.pk)) for n, f in feeds]
    if args.processes > 1:
        second, outcomes = pooled_round(again, "round two", args.processes)
    else:
        second, _limit, outcomes = poll_round(again, "round two")
    print(
        f"round two:         {second:.1f} s = {second / first:.2f} of round one "
        f"(goal <= 0.10); {outcomes}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.processes > 1:
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        peak = max(peak, child)  # the largest of the polling processes, or of this one
    print(f"peak RSS:          {peak:.0f} MB (goal < 200 MB)")
    print(f"stored entries:    {Entry.objects.count()}")


def main() -> None:
    args = arguments()
    ports = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=serve, args=(ports, args.feeds, args.entries), daemon=True
    )
    server.start()
    port = ports.get(timeout=60)
    with tempfile.TemporaryDirectory(prefix="aidaily-bench-intake-") as tmp:
        old_name = setup_django(tmp)
        from django.db import connection

        try:
            measure(args, port)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            server.terminate()


if __name__ == "__main__":
    main()
