"""The labelled set: planted errors are found, correct figures are borne out."""

from benchmarks import claims as benchmark


def test_planted_errors_are_flagged_and_correct_figures_supported_on_the_labelled_set():
    score = benchmark.evaluate()
    planted = score.planted_flagged + score.planted_missed
    correct = score.correct_supported + score.correct_flagged + score.correct_other
    assert planted + correct >= 80
    assert planted * 5 >= planted + correct  # at least a fifth planted wrong
    assert score.recall >= 0.9, score.misses
    assert score.precision >= 0.8, score.misses
    assert score.supported_accuracy >= 0.9, score.misses


def test_the_sample_issue_checks_clean_against_its_shipped_evidence():
    verdicts, _checking, _extracting, sources = benchmark.check_sample()
    assert sources == 18
    assert verdicts and {v.status for v in verdicts} == {"supported"}


def test_the_benchmark_script_runs_and_prints_its_figures():
    import os
    import re
    import subprocess
    import sys

    root = benchmark.ROOT
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    run = subprocess.run(
        [sys.executable, "benchmarks/claims.py"],
        cwd=root,
        env={**env, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    for label in ("unsupported precision", "unsupported recall", "supported accuracy"):
        assert re.search(rf"{label}[^:]*: [01]\.\d{{3}}", run.stdout), run.stdout
    assert re.search(r"ratio check / extraction: [\d.]+", run.stdout), run.stdout
