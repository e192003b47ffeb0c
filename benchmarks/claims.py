"""How well the claim check finds planted errors, and how fast it checks the sample issue.

    .venv/bin/python benchmarks/claims.py

1. The labelled set (benchmarks/claims_labelled/items.yaml): items in Chinese and English
   citing pages written for it (HTML and a PDF, read through the real text extraction), every
   figure labelled `ok` or with the error planted in it. "Unsupported" is the positive class:
   precision and recall of planted errors, and the share of correct figures found supported.
   A labelled figure the normaliser does not read at all counts against both.
2. The sample issue (events/demo/sample-issue.txt) checked against its shipped evidence,
   against a baseline measured in the same run: extracting the text of that evidence.
"""

import io
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "benchmarks" / "claims_labelled"
DEMO = ROOT / "events" / "demo"
FIELDS = {
    "event": ("title", "what_happened", "key_facts"),
    "signal": ("headline",),
    "paper": ("name", "headline", "what_it_does", "what_is_new"),
}


@dataclass
class Score:
    planted_flagged: int = 0  # planted error, reported unsupported
    planted_missed: int = 0  # planted error, reported supported or not read
    correct_flagged: int = 0  # correct figure, reported unsupported (a false alarm)
    correct_supported: int = 0
    correct_other: int = 0  # correct figure not read, or unverifiable
    misses: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        flagged = self.planted_flagged + self.correct_flagged
        return self.planted_flagged / flagged if flagged else 0.0

    @property
    def recall(self) -> float:
        planted = self.planted_flagged + self.planted_missed
        return self.planted_flagged / planted if planted else 0.0

    @property
    def supported_accuracy(self) -> float:
        correct = self.correct_supported + self.correct_flagged + self.correct_other
        return self.correct_supported / correct if correct else 0.0


def page_text(path: Path) -> str:
    """The page's text as a capture would store it."""
    from sources import extraction

    kind = "application/pdf" if path.suffix == ".pdf" else "text/html; charset=utf-8"
    return extraction.extract(io.BytesIO(path.read_bytes()), content_type=kind).text


def _squash(text: str) -> str:
    return "".join(text.split())


def _pick(label: str, verdicts: list, used: set):
    for n, verdict in enumerate(verdicts):
        read = _squash(verdict.figure.text)
        if n not in used and (_squash(label) in read or read in _squash(label)):
            used.add(n)
            return verdict
    return None


def evaluate(path: Path = LABELLED / "items.yaml") -> Score:
    """Check every labelled item and score the verdicts against the labels."""
    import yaml

    from claims.checking import SourceText, Status, check

    data = yaml.safe_load(path.read_text())
    texts: dict[str, str] = {}
    score = Score()
    for item in data["items"]:
        for name in item["sources"]:
            texts.setdefault(name, page_text(path.parent / "pages" / name))
        sources = [SourceText(name, texts[name]) for name in item["sources"]]
        fields = list(item["fields"].items())
        verdicts = check(fields, sources, default_year=data["year"])
        used: set = set()
        for label, planted in item["figures"]:
            verdict = _pick(label, verdicts, used)
            flagged = verdict is not None and verdict.status == Status.UNSUPPORTED
            if planted != "ok":
                score.planted_flagged += flagged
                score.planted_missed += not flagged
            elif flagged:
                score.correct_flagged += 1
            elif verdict is not None and verdict.status == Status.SUPPORTED:
                score.correct_supported += 1
            else:
                score.correct_other += 1
            if flagged != (planted != "ok") or verdict is None:
                status = verdict.status if verdict else "not read"
                score.misses.append(f"{item['key']}: {label} ({planted}) → {status}")
    return score


def sample_inputs():
    """The sample issue's items (section, fields) and its evidence files' extracted text."""
    from events.dailyformat.parser import decode, parse
    from sources.normalise import normalise_url

    issue = parse(decode((DEMO / "sample-issue.txt").read_bytes()))
    manifest = json.loads((DEMO / "evidence" / "manifest.json").read_text())
    items = [
        (section, item)
        for section, group in (
            ("event", issue.events),
            ("signal", issue.signals),
            ("paper", issue.papers),
        )
        for item in group
    ]
    return issue, items, manifest, normalise_url


def check_sample() -> tuple[list, float, float, int]:
    """(verdicts, seconds to check, seconds to extract the evidence, number of sources)."""
    from claims.checking import SourceText, check

    issue, items, manifest, normalise_url = sample_inputs()
    started = time.perf_counter()
    texts = {url: page_text(DEMO / "evidence" / entry["file"]) for url, entry in manifest.items()}
    extracted = time.perf_counter() - started
    started = time.perf_counter()
    verdicts = []
    for section, item in items:
        fields = [(name, getattr(item, name)) for name in FIELDS[section]]
        sources = [SourceText(s.url, texts.get(normalise_url(s.url))) for s in item.sources]
        verdicts += check(fields, sources, default_year=issue.date.year)
    return verdicts, time.perf_counter() - started, extracted, len(texts)


def main() -> None:
    score = evaluate()
    planted = score.planted_flagged + score.planted_missed
    correct = score.correct_supported + score.correct_flagged + score.correct_other
    print(f"labelled figures: {planted + correct} ({planted} planted wrong)")
    print(f"unsupported precision: {score.precision:.3f}")
    print(f"unsupported recall (planted errors): {score.recall:.3f}")
    print(f"supported accuracy (correct figures): {score.supported_accuracy:.3f}")
    for miss in score.misses:
        print(f"  miss: {miss}")
    runs = [check_sample() for _ in range(5)]
    verdicts = runs[0][0]
    checking = statistics.median(run[1] for run in runs)
    extracting = statistics.median(run[2] for run in runs)
    unsupported = sum(v.status != "supported" for v in verdicts)
    print(
        f"sample issue: {len(verdicts)} claims, {unsupported} not supported, "
        f"{runs[0][3]} evidence files"
    )
    print(f"check sample: {checking * 1000:.1f} ms")
    print(f"baseline, extracting the evidence text: {extracting * 1000:.1f} ms")
    print(f"ratio check / extraction: {checking / extracting:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidaily.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    import django

    django.setup()
    main()
