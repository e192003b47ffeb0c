"""What to capture, and when: queueing captures, scheduled recaptures and the sweeper.

Running a capture (claim, fetch, store, extract) is `sources.pipeline`'s; this module decides
which snapshots exist and hands their ids to the tasks, after the transaction commits.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import citing
from .models import Snapshot, Source
from .pipeline import lease

#: How old the newest capture of a source in each scope (sources.citing) may grow.
SCOPE_MAX_AGE = {citing.UNPUBLISHED: timedelta(hours=3), citing.PUBLISHED: timedelta(hours=20)}
DISPATCH_LIMIT = 500
#: The most captures one bulk task takes: a worker that dies holds its whole batch until the
#: sweeper's lease runs out.
MAX_BATCH_SIZE = 100
#: A capture waiting this long for extraction lost its task; the sweeper queues it again.
EXTRACTION_OVERDUE = timedelta(minutes=15)


def _queue_task(snapshot_id: int) -> None:
    from .tasks import capture_snapshot

    capture_snapshot.delay_on_commit(snapshot_id)


def batches(snapshot_ids: list[int], *, parallel: int | None = None) -> list[list[int]]:
    """The ids in order, cut into one bulk task per capture that can run at once
    (`SNAPSHOT_PARALLEL_CAPTURES`), at most MAX_BATCH_SIZE each.

    A small job (an issue's sources) gets every worker process at once instead of waiting on
    one batch after another; a large one (the nightly recapture) pays the claim, the finishing
    statement and the task's own overhead once per process rather than once every few pages.
    """
    parallel = max(1, parallel or settings.SNAPSHOT_PARALLEL_CAPTURES)
    size = min(MAX_BATCH_SIZE, max(1, math.ceil(len(snapshot_ids) / parallel)))
    return [snapshot_ids[start : start + size] for start in range(0, len(snapshot_ids), size)]


def _queue_batches(snapshot_ids: list[int]) -> None:
    from .tasks import capture_snapshots

    for batch in batches(snapshot_ids):
        capture_snapshots.delay_on_commit(batch)


def _queue_extraction(snapshot_ids: list[int]) -> None:
    from .tasks import extract_snapshots

    if snapshot_ids:
        extract_snapshots.delay_on_commit(snapshot_ids)


def _pending_snapshot(source: Source) -> Snapshot:
    """The source's pending capture, created when there is none; a queued one is made due now."""
    with transaction.atomic():
        Source.objects.select_for_update().get(pk=source.pk)  # one pending capture per source
        snapshot = source.snapshots.active().order_by("-pk").first()
        if snapshot is None:
            snapshot = Snapshot.objects.create(source=source)
    if snapshot.status == Snapshot.Status.QUEUED:
        # A person or a schedule asking now overrides the backoff.
        Snapshot.objects.filter(pk=snapshot.pk, status="queued").update(retry_at=None)
    return snapshot


def request_capture(*, source: Source) -> Snapshot:
    """Queue a capture of the source (after commit), or return the one already waiting.

    A queued capture is queued again even if a task exists: the claim lets only one run, and a
    lost task (a flushed broker, an in-process run that could not retry) is replaced.
    """
    snapshot = _pending_snapshot(source)
    if snapshot.status == Snapshot.Status.QUEUED:
        _queue_task(snapshot.pk)
    return snapshot


def request_captures(sources) -> list[Snapshot]:
    """Queue captures of many sources as batch tasks (after commit); returns their snapshots."""
    snapshots = [_pending_snapshot(source) for source in sources]
    _queue_batches([s.pk for s in snapshots if s.status == Snapshot.Status.QUEUED])
    return snapshots


def queue_first_capture(*, source_id: int) -> None:
    """After commit: capture a newly cited source unless it already has any snapshot."""

    def check():
        if not Snapshot.objects.filter(source_id=source_id).exists():
            request_capture(source=Source.objects.get(pk=source_id))

    transaction.on_commit(check)


def request_issue_captures(*, issue) -> list[Snapshot]:
    """Queue a capture of every source the issue cites."""
    return request_captures(Source.objects.cited_by_issue(issue).order_by("pk"))


def sources_due(*, scope: str, now=None):
    """Sources cited by issues in the scope, not captured recently and with nothing pending."""
    now = now or timezone.now()
    return (
        Source.objects.cited_by_status(citing.statuses(scope))
        .not_captured_since(now - SCOPE_MAX_AGE[scope])
        .without_active_capture()
        .order_by("pk")
    )


def recapture(*, scope: str, limit: int = DISPATCH_LIMIT) -> int:
    """Queue captures for up to `limit` sources due in the scope; returns how many."""
    return len(request_captures(list(sources_due(scope=scope)[:limit])))


#: A page that kills its worker this many times in a day is not retried by the sweeper again.
MAX_INTERRUPTED_PER_DAY = 3
INTERRUPTED = "interrupted: the worker stopped before finishing (swept)"


def sweep_stuck() -> int:
    """Fail captures left running by a worker that died and capture their sources again;
    re-queue lost captures and extractions; returns how many rows it acted on.

    Redis hands an unacknowledged task back only after its visibility timeout (an hour), long
    after the lease: without a fresh capture the gate would block the issue until then.
    """
    now = timezone.now()
    stuck = list(Snapshot.objects.stuck(lease()).values_list("pk", "source_id"))
    failed = Snapshot.objects.filter(
        pk__in=[pk for pk, _ in stuck], status=Snapshot.Status.RUNNING
    ).update(
        status=Snapshot.Status.FAILED,
        finished_at=now,
        error=INTERRUPTED,
        error_kind=Snapshot.ErrorKind.INTERRUPTED,
    )
    for source_id in sorted({source_id for _, source_id in stuck}):
        interrupted = Snapshot.objects.filter(
            source_id=source_id, error=INTERRUPTED, finished_at__gte=now - timedelta(days=1)
        ).count()
        if interrupted < MAX_INTERRUPTED_PER_DAY:
            request_capture(source=Source.objects.get(pk=source_id))
    overdue = now - timedelta(minutes=15)
    lost = list(
        Snapshot.objects.filter(status=Snapshot.Status.QUEUED, queued_at__lt=overdue)
        .exclude(retry_at__gte=overdue)
        .values_list("pk", flat=True)[:DISPATCH_LIMIT]
    )
    for snapshot_id in lost:
        _queue_task(snapshot_id)
    unextracted = list(
        Snapshot.objects.filter(
            status=Snapshot.Status.CAPTURED, finished_at__lt=now - EXTRACTION_OVERDUE
        ).values_list("pk", flat=True)[:DISPATCH_LIMIT]
    )
    _queue_extraction(unextracted)
    return failed + len(lost) + len(unextracted)
