"""Small helpers shared by the verification tests."""

from sources.models import Snapshot
from verification import services


def snapshots_of(item):
    """The succeeded snapshots of the sources the item cites, oldest first."""
    return list(
        Snapshot.objects.succeeded()
        .filter(**{f"source__citations__{item.section}": item})
        .order_by("pk")
    )


def verify_all(issue, user, outcome="verified"):
    """Verify every item of the issue through the service, with all its snapshots as evidence."""
    for item in issue.items():
        services.verify(
            item, by=user, outcome=outcome, note="已由官方公告核实。", evidence=snapshots_of(item)
        )
