"""Ranks are unique and contiguous per issue and section: 1, 2, 3 … with no gaps."""

from contextlib import contextmanager

from django.db import transaction
from django.db.models import F

#: Items one section of an issue may hold. A daily issue ranks a handful per section; the bound
#: keeps the issue page, which edits every item inline, small enough to load and save.
MAX_ITEMS_PER_SECTION = 20

#: Added to ranks while rows are moved, so no two rows share a rank mid-update.
PARKING_OFFSET = 10_000


def section_is_full(model, issue_id, *, moving_pk=None) -> bool:
    """Whether the issue's section already holds as many items as a section may."""
    rows = model.objects.filter(issue_id=issue_id).exclude(pk=moving_pk)
    return rows.count() >= MAX_ITEMS_PER_SECTION


def park(model, pks) -> None:
    """Move rows out of the way before a form assigns them new ranks (e.g. swapping 1 and 2)."""
    if pks:
        model.objects.filter(pk__in=pks).update(rank=F("rank") + PARKING_OFFSET)


@transaction.atomic
def renumber(model, issue_id) -> None:
    """Close gaps so the section's ranks read 1..n, keeping the current order."""
    rows = list(
        model.objects.filter(issue_id=issue_id).order_by("rank", "pk").values_list("pk", "rank")
    )
    if all(rank == position for position, (_, rank) in enumerate(rows, start=1)):
        return
    park(model, [pk for pk, _ in rows])
    for position, (pk, _) in enumerate(rows, start=1):
        model.objects.filter(pk=pk).update(rank=position)


@transaction.atomic
def reorder(model, issue_id, ordered_pks) -> None:
    """Give the section's items the order of `ordered_pks` (all of them, each once)."""
    current = set(model.objects.filter(issue_id=issue_id).values_list("pk", flat=True))
    if set(ordered_pks) != current or len(ordered_pks) != len(current):
        raise ValueError("reorder needs every item of the section exactly once")
    park(model, list(current))
    for position, pk in enumerate(ordered_pks, start=1):
        model.objects.filter(pk=pk).update(rank=position)


@transaction.atomic
def make_room(model, issue_id, rank: int, *, item_pk=None) -> int:
    """Rank the section's other items around an item about to be saved at `rank`.

    The item is taken out of the order and put back at that place (or at the end, when `rank`
    is past it); the others are renumbered around it at once. Returns the rank to save the item
    with, which is then free. Only the others are moved here, by update, so the item's own
    history records the rank it was given, not a parking place.
    """
    rows = model.objects.filter(issue_id=issue_id)
    others = list(rows.exclude(pk=item_pk).order_by("rank", "pk").values_list("pk", flat=True))
    position = min(max(rank, 1), len(others) + 1)
    park(model, list(rows.values_list("pk", flat=True)))
    order = [*others[: position - 1], None, *others[position - 1 :]]
    for new_rank, pk in enumerate(order, start=1):
        if pk is not None:
            model.objects.filter(pk=pk).update(rank=new_rank)
    return position


@contextmanager
def saving_section(model, issue_id, *, changed_pks):
    """Around saving a section's items together (the issue page): the changed rows are moved
    out of the way first, so swapping two ranks does not collide midway; ranks read 1..n after."""
    park(model, changed_pks)
    yield
    renumber(model, issue_id)


@contextmanager
def placing(item, *, moved: bool, left_issue_id=None):
    """Around saving one item (its own page): when it is new or moved, a taken rank is where the
    editor wants it and the others make room; the section it joined, and the one it left,
    are renumbered after."""
    model = type(item)
    if moved:
        item.rank = make_room(model, item.issue_id, item.rank, item_pk=item.pk)
    yield
    renumber(model, item.issue_id)
    if left_issue_id is not None:
        renumber(model, left_issue_id)  # close the gap it left
