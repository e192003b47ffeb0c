"""Intake desk polling speed and memory, against feedparser alone on the same bytes.

    .venv/bin/python benchmarks/intake.py [--feeds 500] [--entries 50] [--stored 100000]

1. A throw-away SQLite database holds --stored entries spread over the 14-day dedup window,
   each with its MinHash bands, as a busy desk's would.
2. A local server (its own process) serves --feeds RSS feeds of --entries entries each; every
   fifth answers 304 to a matching If-None-Match on the second round, the rest send the same
   bytes again without validators, and every 97th is broken.
3. The limit: feedparser parsing every first-round body, alone, in this process.
4. Round one: intake.services.poll of every feed (checked fetch, parse, normalise, dedup against
   the window, store), one after another as one worker runs them. Round two: the same again.
5. The peak RSS of this process.

Goal: round one at least half of feedparser's rate; round two at most a tenth of round one.
"""

import argparse
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
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "benchmark")
    os.environ["SNAPSHOT_ALLOW_PRIVATE_ADDRESSES"] = "1"  # the benchmark server is local
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidaily.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(stored: int) -> None:
    """Stored entries over the last 14 days, in stories of one to three entries."""
    from django.utils import timezone

    from intake.models import Entry, EntryBand, Feed, Story
    from intake.text import band_keys, pack, signature

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
        rows, keys = [], []
        for n, (story, when) in enumerate(zip(stories, whens, strict=True)):
            title = " ".join(rng.choice(WORDS) for _ in range(9)) + f" seed-{start + n}"
            sig = signature(title)
            keys.append(band_keys(sig))
            rows.append(
                Entry(
                    feed=feed,
                    story=story,
                    url=f"https://seed.example/{start + n}",
                    title=title,
                    published_at=when,
                    signature=pack(sig),
                )
            )
        created = Entry.objects.bulk_create(rows)
        EntryBand.objects.bulk_create(
            (
                EntryBand(entry_id=e.pk, key=k, published_at=e.published_at)
                for e, ks in zip(created, keys, strict=True)
                for k in ks
            ),
            batch_size=5000,
        )


def feedparser_rate(bodies: list[bytes]) -> float:
    import feedparser

    started = time.perf_counter()
    count = sum(len(feedparser.parse(body).entries) for body in bodies)
    return count / (time.perf_counter() - started)


def poll_round(feeds) -> tuple[float, dict]:
    from intake import services

    outcomes: dict = {}
    started = time.perf_counter()
    for feed in feeds:
        poll = services.poll(feed=feed)
        outcomes[poll.outcome] = outcomes.get(poll.outcome, 0) + 1
        outcomes["entries"] = outcomes.get("entries", 0) + poll.new_entries
    return time.perf_counter() - started, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--stored", type=int, default=100_000)
    args = parser.parse_args()
    ports = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=serve, args=(ports, args.feeds, args.entries), daemon=True
    )
    server.start()
    port = ports.get(timeout=60)
    with tempfile.TemporaryDirectory(prefix="aidaily-bench-intake-") as tmp:
        setup_django(tmp)
        started = time.perf_counter()
        seed(args.stored)
        print(f"seeded {args.stored} stored entries in {time.perf_counter() - started:.1f} s")
        from intake.models import Entry, Feed

        now = datetime.datetime.now(datetime.UTC)
        bodies = [feed_body(n, args.entries, now) for n in range(args.feeds) if n % 97 != 13]
        limit = feedparser_rate(bodies)
        del bodies
        feeds = [
            Feed.objects.create(url=f"http://127.0.0.1:{port}/feed/{n}.xml", name=f"Outlet {n}")
            for n in range(args.feeds)
        ]
        first, outcomes = poll_round(feeds)
        rate = outcomes["entries"] / first
        print(f"feedparser alone:  {limit:8.0f} entries/s (the limit)")
        print(
            f"round one:         {rate:8.0f} entries/s = {rate / limit:.2f} of the limit "
            f"(goal >= 0.5); {first:.1f} s, {outcomes}"
        )
        second, outcomes = poll_round([Feed.objects.get(pk=f.pk) for f in feeds])
        print(
            f"round two:         {second:.1f} s = {second / first:.2f} of round one "
            f"(goal <= 0.10); {outcomes}"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS:          {peak:.0f} MB (goal < 200 MB)")
        print(f"stored entries:    {Entry.objects.count()}")
    server.terminate()


if __name__ == "__main__":
    main()
