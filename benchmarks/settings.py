"""Benchmark settings: the project's own, plus a URL for the trivial baseline view."""

from aidaily.settings import *  # noqa: F403 - the benchmark measures the real configuration

ROOT_URLCONF = "benchmarks.urls"
