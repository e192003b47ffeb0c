"""Which statuses of the citing records put a source in a scope: the captures of "published"
sources are public, and each scope has its own recapture age (sources.services).

The statuses are the issue workflow's, a layer above this one. Events registers them at start-up
with `register`; sources reads them by scope name and never spells a workflow status itself.
"""

#: Sources cited by a published record: their captures anyone may read.
PUBLISHED = "published"
#: Sources cited by a record still being written, reviewed or waiting to go out.
UNPUBLISHED = "unpublished"

_statuses: dict[str, tuple[str, ...]] = {}


def register(scope: str, statuses) -> None:
    """Name the citing statuses of a scope (the layer that owns the statuses calls this)."""
    _statuses[scope] = tuple(statuses)


def statuses(scope: str) -> tuple[str, ...]:
    """The citing statuses of the scope; none until the owner registers, so no source is in it."""
    return _statuses.get(scope, ())
