"""Search latency at the size of ten years of issues: p50 and p95 per kind of query.

    python benchmarks/search.py [--database-url postgres://postgres@127.0.0.1:5432/aidaily_bench_search]

Seeds the database (once, as benchmarks/archive.py does) with 3,650 published issues shaped like
the sample, then times events.search.search() — what the search page runs — for one- and
two-word queries in Chinese and in English, and prints p50 and p95 for each kind (goal: p50
under 50 ms for every kind) and the SQL statements one search runs. Words found nowhere in the
archive are timed too, outside the goal: they are the case the trigram indexes serve.

On PostgreSQL the searched tables are vacuumed first, as autovacuum would have done on a running
server: a bulk-seeded table's GIN indexes still hold their entries in the pending list, which
makes the planner price the trigram indexes far above a scan of the table.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.archive import ISSUES, ensure_database, seed, setup_django

#: kind of query → queries of that kind, each of words the seeded archive holds.
QUERIES = {
    "Chinese, one word": ["算力", "融资", "主权", "模型"],
    "Chinese, two words": ["算力 融资", "主权 模型", "安全 芯片"],
    "English, one word": ["TPU", "Anthropic", "NVIDIA"],
    "English, two words": ["Anthropic TPU", "OpenAI Google", "NVIDIA Meta"],
    "mixed, two words": ["Anthropic 算力", "OpenAI 融资"],
}

#: Words the seeded archive does not hold: each search finds nothing and reads every kind.
UNMATCHED = {
    "no match, English": ["Mistral", "AWS"],
    "no match, Chinese": ["鸵鸟"],
}


def percentile(timings: list[float], fraction: float) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_queries(queries: list[str], runs: int) -> tuple[list[float], dict[str, int]]:
    """Milliseconds of every run of every query, and the hits each query shows."""
    from events.search import search

    timings, hits = [], {}
    for query in queries:
        search(query)  # warm: the first run pays for the planner's caches
        for _ in range(runs):
            started = time.perf_counter()
            hits[query] = len(search(query))
            timings.append((time.perf_counter() - started) * 1000)
    return timings, hits


def vacuum_searched_tables() -> None:
    from django.db import connection

    from events.models import Conclusion, Issue
    from events.sections import SECTIONS

    if connection.vendor != "postgresql":
        return
    models = [Issue, Conclusion, *(section.model for section in SECTIONS)]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE " + ", ".join(model._meta.db_table for model in models))


def report(kind: str, queries: list[str], runs: int) -> float:
    """Print one kind's p50 and p95 and the hits each query shows; return the p50."""
    timings, hits = time_queries(queries, runs)
    p50, p95 = statistics.median(timings), percentile(timings, 0.95)
    shown = ", ".join(f"{query!r} {count}" for query, count in hits.items())
    print(f"{kind:20} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (hits shown: {shown})")
    return p50


def statements_per_search(query: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events.search import search

    with CaptureQueriesContext(connection) as captured:
        search(query)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aidaily_bench_search"
        ),
    )
    parser.add_argument("--issues", type=int, default=ISSUES)
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each query")
    args = parser.parse_args()
    setup_django(args.database_url)
    ensure_database(args.database_url)
    seed(args.issues)
    vacuum_searched_tables()
    from django.db import connection

    from events.models import Issue

    published = Issue.objects.published().count()
    print(f"search over {published} published issues on {connection.vendor}, {args.runs} runs each")
    worst = max(report(kind, queries, args.runs) for kind, queries in QUERIES.items())
    print(f"SQL statements per search: {statements_per_search('算力 融资')}")
    print(f"slowest kind's p50: {worst:.1f} ms (goal < 50 ms)")
    for kind, queries in UNMATCHED.items():
        report(kind, queries, args.runs)


if __name__ == "__main__":
    main()
