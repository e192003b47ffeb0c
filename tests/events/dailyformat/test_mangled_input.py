"""Mangled files: every outcome is a clean refusal with line numbers or a draft that round-trips."""

import random

import pytest

from events.dailyformat import DailyFormatError
from events.dailyformat.importer import import_text
from events.dailyformat.writer import write_markdown

from .helpers import SAMPLE

NOISE = ["(", ")", "<", ">", "|", "：", ":", "\\", "1. ", "http://", "（", "）", "\t", "#", "\\$"]


def mangle(lines, rng):
    lines = list(lines)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(lines))
        roll = rng.random()
        if roll < 0.3:
            del lines[at]
        elif roll < 0.5:
            lines.insert(at, lines[rng.randrange(len(lines))])
        elif roll < 0.8:
            cut = rng.randrange(len(lines[at]) + 1)
            lines[at] = lines[at][:cut] + rng.choice(NOISE) + lines[at][cut:]
        else:
            lines[at] = lines[at][: rng.randrange(len(lines[at]) + 1)]
    return "\n".join(lines)


@pytest.mark.django_db
def test_mangled_files_are_refused_by_line_or_import_and_round_trip():
    rng = random.Random(20260408)  # fixed, so a failure can be replayed
    base = SAMPLE.read_text(encoding="utf-8").splitlines()
    outcomes = {"refused": 0, "imported": 0}
    for _attempt in range(12):
        text = mangle(base, rng)
        try:
            issue = import_text(text, replace=True).issue
        except DailyFormatError as refusal:
            assert refusal.errors and all(e.line >= 1 for e in refusal.errors)
            outcomes["refused"] += 1
            continue
        first = write_markdown(issue)
        assert write_markdown(import_text(first, replace=True).issue) == first
        outcomes["imported"] += 1
    assert outcomes["refused"] and outcomes["imported"]
