"""The real sample issue, read where the team keeps it: `../shared/samples/` beside the checkout.

The project commits only text it wrote. CI has the shared folder beside its clone, so there a
missing seed fails the test (REQUIRE_SERVICES=1); on a bare checkout the test is skipped.
"""

from pathlib import Path

from .conftest import missing_service

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "seed-2026-04-08.txt"


def seed_path() -> Path:
    """The seed's path, or a skip (a failure in CI) when it is not beside the checkout."""
    if not SEED.exists():
        missing_service(f"the real sample issue is not at {SEED}")
    return SEED


def seed_bytes() -> bytes:
    return seed_path().read_bytes()


def seed_text() -> str:
    return seed_path().read_text(encoding="utf-8")
