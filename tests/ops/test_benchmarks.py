"""The snapshot benchmark still runs end to end (it is not run otherwise, and scripts that are
only run by hand rot): a few pages through every step, on a throw-away SQLite database."""

import os
import re
import subprocess
import sys
from pathlib import Path

from ..dnsguard import subprocess_env

ROOT = Path(__file__).resolve().parents[2]


def test_the_snapshot_benchmark_captures_and_extracts_every_page_and_prints_its_figures():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MEDIA_ROOT")}
    arguments = ["--pages", "12", "--repeat", "1", "--concurrency", "2", "--skip-memory"]
    run = subprocess.run(
        [sys.executable, "benchmarks/snapshots.py", *arguments],
        cwd=ROOT,
        env=subprocess_env(env),  # the benchmark resolves no outside name either
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert run.returncode == 0, run.stderr[-2000:]
    for label in (
        "plain http.client fetch",
        "capture (fetch + WARC + row)",
        "text extraction (own step)",
    ):
        rate = re.search(rf"{re.escape(label)}:\s+([\d.]+) pages/s", run.stdout)
        assert rate and float(rate.group(1)) > 0, run.stdout
    assert re.search(r"ratio capture / plain:\s+[\d.]+", run.stdout), run.stdout
