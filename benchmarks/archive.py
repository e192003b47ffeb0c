"""Benchmark of the public archive: every page row against its baselines, and search latency.

    python benchmarks/archive.py [--database-url postgres://postgres@127.0.0.1:5432/aidaily_bench]

1. Seeds the database (once) with 3,650 published issues shaped like the sample: 5 events,
   3 signals and 3 papers each, every item with two cited, captured sources.
2. Times events.search.search() for a Chinese and an English query and prints the medians.
3. Loads, in the same run, every row of the comparison (benchmarks/pages.py): nginx serving a
   plain file of the issue page's bytes and the baked pages, the plain Django view with no
   database (/bench/trivial/, the same bytes through the same middleware: the framework's
   ceiling), and the newest issue page, /issues/ and /feed/ under gunicorn with 2 sync workers,
   with local-memory and Redis cache, rendered and from baked files; prints each ratio
   (goals: baked through nginx ≥ 0.8 × the plain file, through Django ≥ 0.8 × plain Django).

    python benchmarks/archive.py --code-dir /tmp/aidaily-before   # the same rows on older code

Load comes from wrk when installed (apt-get install wrk), else from benchmarks/load.py's
threaded client.
"""

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SEED_FILE = BASE_DIR.parent / "shared" / "samples" / "seed-2026-04-08.txt"
ISSUES = 3650
PORT = 8931


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ.setdefault("AIDAILY_EMBEDDED", "1")  # no broker: the seed queues no task anyway
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database if missing, then migrate it."""
    if database_url.startswith("postgres"):
        import psycopg

        base, name = database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def sentences() -> list[str]:
    text = SEED_FILE.read_text(encoding="utf-8") if SEED_FILE.exists() else ""
    found = [s.strip() for s in re.split(r"(?<=[。！？])", text) if len(s.strip()) > 12]
    return found or ["Anthropic 锁定多吉瓦级下一代 TPU 算力。", "OpenAI 完成融资。"]


def seed(issues: int) -> None:
    """Bulk-create the published archive once (skipped when it is already there)."""
    from django.db import connection, transaction

    from events.models import Issue

    if Issue.objects.published().count() >= issues:
        return
    started = time.perf_counter()
    rng = random.Random(8)
    pool = sentences()

    def text(n):
        return "".join(rng.choice(pool) for _ in range(n))

    with transaction.atomic():
        Issue.objects.all().delete()
        created = _seed_issues(issues, text)
        items = _seed_items(created, text)
        _seed_citations(items)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"seeded {issues} issues in {time.perf_counter() - started:.0f} s")


def _seed_issues(issues: int, text) -> list:
    from django.utils import timezone

    from events.models import Conclusion, Issue

    last = datetime.date(2026, 4, 8)
    created = Issue.objects.bulk_create(
        Issue(
            date=last - datetime.timedelta(days=n),
            coverage_start=last - datetime.timedelta(days=n + 7),
            coverage_end=last - datetime.timedelta(days=n),
            overview=text(4),
            business_analysis=text(4),
            status="published",
            published_at=timezone.now(),
        )
        for n in range(issues)
    )
    Conclusion.objects.bulk_create(
        Conclusion(issue=issue, position=p, text=text(1)) for issue in created for p in (1, 2, 3)
    )
    return created


def _seed_items(created: list, text) -> list:
    """Five events, three signals and three papers an issue, all verified."""
    from events.models import Event, Paper, SocialSignal

    common = {"verification_status": "verified", "verification_note": "已由官方公告核实。"}
    events = Event.objects.bulk_create(
        Event(issue=issue, rank=r, title=text(1)[:290], what_happened=text(2),
              key_facts=text(2), why_it_matters=text(1), implications=text(2), **common)
        for issue in created for r in range(1, 6)
    )  # fmt: skip
    signals = SocialSignal.objects.bulk_create(
        SocialSignal(issue=issue, rank=r, handle=f"@analyst{r}", headline=text(1)[:290],
                     signal_type="趋势信号", one_line_take=text(1), **common)
        for issue in created for r in range(1, 4)
    )  # fmt: skip
    papers = Paper.objects.bulk_create(
        Paper(issue=issue, rank=r, name=f"Bench-{issue.pk}-{r}", headline=text(1)[:290],
              what_it_does=text(1), what_is_new=text(1), applications=text(1),
              one_line_take=text(1), **common)
        for issue in created for r in range(1, 4)
    )  # fmt: skip
    return [*events, *signals, *papers]


def _seed_citations(items: list) -> None:
    """Two captured sources cited by every item, from a pool of 20,000."""
    from django.utils import timezone

    from events.models import Citation
    from sources.models import Snapshot, Source

    sources = Source.objects.bulk_create(
        Source(url=f"https://news.example.com/bench/{n}", publisher=f"Publisher {n % 50}")
        for n in range(20000)
    )
    Snapshot.objects.bulk_create(
        Snapshot(source=s, status="succeeded", finished_at=timezone.now(), http_status=200)
        for s in sources
    )
    citations = []
    for n, item in enumerate(items):
        for position in (1, 2):
            source = sources[(2 * n + position) % len(sources)]
            citations.append(
                Citation(issue_id=item.issue_id, source=source, position=position,
                         label=source.publisher, **{type(item).section: item})
            )  # fmt: skip
    Citation.objects.bulk_create(citations, batch_size=5000)


def search_medians(runs: int) -> None:
    from django.db import connection

    from events.search import search

    for query in ("算力", "TPU", "Anthropic 算力", "主权"):
        search(query)  # warm up
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            hits = search(query)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"search {query!r}: median {statistics.median(timings):.1f} ms over {runs} runs "
            f"({len(hits)} hits shown) on {connection.vendor}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aidaily_bench"
        ),
    )
    parser.add_argument("--issues", type=int, default=ISSUES)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--search-runs", type=int, default=21)
    parser.add_argument(
        "--code-dir",
        type=Path,
        default=BASE_DIR,
        help="the aidaily tree gunicorn serves (another checkout: the code before a change)",
    )
    parser.add_argument("--skip-search", action="store_true")
    args = parser.parse_args()
    setup_django(args.database_url)
    ensure_database(args.database_url)
    seed(args.issues)
    if not args.skip_search:
        search_medians(args.search_runs)
    from benchmarks import pages
    from events.models import Issue

    latest = Issue.objects.published().order_by("-date").first()
    pages.run(
        args.database_url,
        latest.get_absolute_url(),
        code_dir=args.code_dir.resolve(),
        seconds=args.seconds,
        rounds=args.rounds,
    )


if __name__ == "__main__":
    main()
