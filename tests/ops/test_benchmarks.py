"""The benchmarks still run end to end (they are not run otherwise, and scripts that are only run
by hand rot): a few pages, feeds or messages through every step, on throw-away databases."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


def _digest_benchmark(*arguments):
    env = {k: v for k, v in os.environ.items() if k != "MEDIA_ROOT"}
    return subprocess.run(
        [sys.executable, "benchmarks/digest.py", "--subscribers", "30", "--workers", "1", "2",
         *arguments],
        cwd=ROOT,
        env=subprocess_env(env),
        capture_output=True,
        text=True,
        timeout=240,
    )  # fmt: skip


@pytest.mark.services
@pytest.mark.parametrize("sink", ["aiosmtpd", "smtp-sink"])
def test_the_digest_benchmark_sends_through_real_workers_and_prints_every_figure(sink):
    if sink == "smtp-sink" and not Path("/usr/sbin/smtp-sink").exists():
        pytest.skip("smtp-sink is not installed (apt-get install postfix)")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the digest benchmark runs on PostgreSQL and Redis")
    run = _digest_benchmark(*(["--aiosmtpd"] if sink == "aiosmtpd" else []))

    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith(f"sink: {'aiosmtpd' if sink == 'aiosmtpd' else 'smtp-sink'}")
    for processes in (1, 2):
        row = re.search(
            rf"pipeline, {processes} worker process\(es\): 30 in [\d.]+ s = (\d+) msg/s, "
            rf"ratio to raw [\d.]+; CPU per message ([\d.]+) ms",
            run.stdout,
        )
        assert row and int(row.group(1)) > 0 and float(row.group(2)) > 0, run.stdout
        assert re.search(
            rf"100000 subscribers with {processes}: [\d.]+ min \(EXTRAPOLATED from 30", run.stdout
        ), run.stdout
    assert re.search(r"raw smtplib loop, pre-built: 30 in [\d.]+ s", run.stdout), run.stdout
    assert re.search(r"ratio pipeline / raw smtplib: 1 process [\d.]+", run.stdout), run.stdout


@pytest.mark.parametrize(
    "variant", [[], ["--processes", "2"], ["--without-dedup"]], ids=["one", "pool", "no-dedup"]
)
def test_the_intake_benchmark_polls_both_rounds_and_prints_its_figures(variant):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MEDIA_ROOT")}
    run = subprocess.run(
        [sys.executable, "benchmarks/intake.py", "--quick", *variant],
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
