"""The benchmarks still run end to end (they are not run otherwise, and scripts that are only
run by hand rot): a few pages or feeds through every step, on a throw-away SQLite database."""

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


def test_the_intake_benchmark_polls_both_rounds_and_prints_its_figures():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MEDIA_ROOT")}
    run = subprocess.run(
        [sys.executable, "benchmarks/intake.py", "--quick"],
        cwd=ROOT,
        env=subprocess_env(env),
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert run.returncode == 0, run.stderr[-2000:]
    limit = re.search(r"feedparser alone:\s+([\d.]+) entries/s", run.stdout)
    assert limit and float(limit.group(1)) > 0, run.stdout
    first = re.search(r"round one:\s+([\d.]+) entries/s = [\d.]+ of the limit", run.stdout)
    assert first and float(first.group(1)) > 0, run.stdout
    # Every fifth feed answers 304 to its ETag, the others resend the same bytes: nothing new.
    assert re.search(r"round two:\s+[\d.]+ s = [\d.]+ of round one.*'entries': 0", run.stdout)
    assert re.search(r"peak RSS:\s+\d+ MB", run.stdout), run.stdout
