"""The order of cards inside a column: sparse signed ranks, rebalanced locally.

A live task's ``rank`` is a 64-bit integer unique in its column (a database
constraint). The ranks used lie in ``[MIN_RANK, MAX_RANK]``, half the range
of the column type on each side of zero, so that:

- a card put at the end takes ``last + RANK_STEP`` and one put at the top
  ``first - RANK_STEP`` (ranks may go negative): both write one row, however
  often cards are sent to the top of a long column;
- a card put between two others takes the midpoint of their ranks;
- only when two neighbours leave no room does a move rewrite other rows, and
  then only a window of cards around the spot (``_make_room``): it doubles
  the window until it holds enough room, or reaches an end of the column,
  where there is always room. Larger windows must leave wider gaps, so one
  crowded spot cannot make every later move rebalance again (the density
  thresholds of order-maintenance lists), and a rewritten window is spread
  evenly, never the whole column unless the window had to grow that far;
- ``[MAX_RANK + 1, …)`` is never used at rest: a rebalance parks the window's
  rows there first, because PostgreSQL checks the unique constraint row by
  row during an UPDATE and moving straight to the new ranks could collide
  with a row not yet moved.

Preconditions of everything here: the caller holds the lock of the column's
row (``tasks.services``), so one transaction at a time changes a column's ranks.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from tasks.models import Task

# Gap left between cards appended, prepended or spread at an open end: 32
# halvings of the same spot fit before any other row moves. Ranks are never
# sent to a browser as numbers, so values past 2**53 are harmless.
RANK_STEP = 1 << 32
# The ranks a live task may hold; the column type allows twice as much.
MIN_RANK = -(1 << 62)
MAX_RANK = (1 << 62) - 1
# A window of 2**level cards between two fixed neighbours is spread only when
# each gap would be at least MIN_GAP << level wide.
MIN_GAP = 4


def between(before: int | None, after: int | None) -> int | None:
    """A free rank strictly between two neighbours' ranks (None: no such neighbour), or None."""
    if before is None and after is None:
        return RANK_STEP
    if after is None:
        return before + RANK_STEP if before + RANK_STEP <= MAX_RANK else None
    if before is None:
        return after - RANK_STEP if after - RANK_STEP >= MIN_RANK else None
    return (before + after) // 2 if after - before >= 2 else None


def spread(
    *, before: int | None, after: int | None, count: int, level: int
) -> tuple[int, int] | None:
    """``(first, step)``: ``count`` ranks ``first + step * i`` strictly between the bounds.

    ``before``/``after`` are the ranks of the cards just outside the window,
    None where the window reaches an end of the column. None when a window
    between two cards is too crowded to be spread at this ``level``.
    """
    if before is None and after is None:  # the whole column
        step = min(RANK_STEP, (MAX_RANK - MIN_RANK) // (count + 1))
        first = RANK_STEP if RANK_STEP + step * (count - 1) <= MAX_RANK else MIN_RANK + step
        return first, step
    if after is None and before + RANK_STEP * count <= MAX_RANK:
        return before + RANK_STEP, RANK_STEP
    if before is None and after - RANK_STEP * count >= MIN_RANK:
        return after - RANK_STEP * count, RANK_STEP
    low = before if before is not None else MIN_RANK - 1
    high = after if after is not None else MAX_RANK + 1
    step = (high - low) // (count + 1)
    # An end of the range of ranks is as hard a bound as a neighbour, so the
    # same threshold applies; the whole column (above) always fits.
    if step >= MIN_GAP << level:
        return low + step, step
    return None


def _live(column_id: int, exclude_task_id: int | None) -> models.QuerySet:
    tasks = Task.objects.live().in_column(column_id)
    if exclude_task_id is not None:
        tasks = tasks.exclude(pk=exclude_task_id)
    return tasks.in_board_order()


def position_before(column_id: int, before_task_id: int, *, moving_task_id: int) -> int | None:
    """The 0-based position, among the live tasks of the column, just above ``before_task_id``.

    What a drop "just above this card" means: the board may show a filtered
    subset, so the place is counted in the full column. None when that card
    is not a live task of the column (then the caller's position stands).
    """
    # One query: that card's row, with the count of the live cards above it.
    above = (
        _live(column_id, moving_task_id)
        .filter(rank__lt=OuterRef("rank"))
        .order_by()
        .values("column_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Task.objects.live()
        .in_column(column_id)
        .filter(pk=before_task_id)
        .annotate(above=Coalesce(Subquery(above), 0))
        .values_list("above", flat=True)
        .first()
    )


def neighbour_ranks(
    column_id: int, position: int | None, *, exclude_task_id: int
) -> dict[str, models.Subquery]:
    """The ranks ``rank_at`` reads, as subqueries for another statement to annotate.

    The move asks them in the statement that locks its task row, one round
    trip fewer; pass what it read to ``rank_at(known=…)``. Precondition, as
    for ``rank_at``: the column row is locked before that statement starts,
    so its ranks cannot change until the transaction ends.
    """
    ranks = _live(column_id, exclude_task_id).values("rank")
    known = {"last_rank": models.Subquery(ranks.order_by("-rank")[:1])}
    if position is not None:
        position = max(0, position)
        start = max(0, position - 1)
        known["rank_a"] = models.Subquery(ranks[start : start + 1])
        if position > 0:
            known["rank_b"] = models.Subquery(ranks[position : position + 1])
    return known


def neighbour_rank_names(position: int | None) -> tuple[str, ...]:
    """The names ``neighbour_ranks(…, position, …)`` annotates, without building it."""
    if position is None:
        return ("last_rank",)
    return ("last_rank", "rank_a", "rank_b") if position > 0 else ("last_rank", "rank_a")


def rank_at(
    column_id: int,
    position: int | None,
    *,
    exclude_task_id: int | None = None,
    known: dict[str, int | None] | None = None,
) -> int:
    """A free rank that puts a task at 0-based ``position`` among the column's live tasks.

    ``None`` (or a position past the end) means the end; the task
    ``exclude_task_id`` (the one moving) does not count. Reads the two
    neighbours only, unless they leave no room (see ``_make_room``);
    ``known``: those ranks already read (``neighbour_ranks``, same arguments).
    Precondition: the column row is locked.
    """
    ranks = _live(column_id, exclude_task_id).values_list("rank", flat=True)
    if position is not None:
        position = max(0, position)
        if known is not None:
            read = (known["rank_a"], known.get("rank_b")) if position else (known["rank_a"],)
            neighbours = [rank for rank in read if rank is not None]
        else:
            neighbours = list(ranks[max(0, position - 1) : position + 1])
        if position == 0:
            before, after = None, (neighbours[0] if neighbours else None)
        elif neighbours:
            before, after = neighbours[0], (neighbours[1] if len(neighbours) > 1 else None)
        else:  # past the end: the end
            position = None
    if position is None:
        before, after = (known["last_rank"] if known is not None else ranks.last()), None
    rank = between(before, after)
    if rank is not None:
        return rank
    if position is None:
        position = ranks.count()
    return _make_room(column_id, position, exclude_task_id=exclude_task_id)


def _make_room(column_id: int, position: int, *, exclude_task_id: int | None) -> int:
    """Spread the smallest crowded-enough window around ``position``; the moving task's rank.

    Rewrites the window's rows in two passes of one statement each on
    PostgreSQL (park, then spread), and parks the moving task too if it is in
    this column, since its old rank may lie inside the window; the caller
    then writes the returned rank to it.
    """
    live = _live(column_id, exclude_task_id).values_list("pk", "rank")
    level = 1
    while True:
        size = 1 << level
        start = max(0, position - size // 2)
        rows = list(live[max(0, start - 1) : start + size + 1])
        before = rows.pop(0)[1] if start > 0 else None
        after = rows.pop()[1] if len(rows) > size else None
        layout = spread(before=before, after=after, count=len(rows) + 1, level=level)
        if layout is not None:
            break
        level += 1
    first, step = layout
    slot = position - start  # the moving task's index in the spread window
    parked_base = MAX_RANK + 1
    parked = {pk: parked_base + (i if i < slot else i + 1) for i, (pk, _rank) in enumerate(rows)}
    if exclude_task_id is not None:
        parked[exclude_task_id] = parked_base + slot
    _park(column_id, parked)
    # The parked rows in one arithmetic pass: slot i takes first + step * i.
    Task.objects.filter(column_id=column_id, rank__gte=parked_base).update(
        rank=(F("rank") - _bigint(parked_base)) * _bigint(step) + _bigint(first)
    )
    return first + step * slot


def _bigint(number: int) -> Value:
    """``number`` as a bigint operand. With parameters bound by the server (settings'
    DB_PREPARED_STATEMENTS), a bare Python int is sent typed integer (int4), where a
    step of 2**32 wraps."""
    return Value(number, output_field=models.BigIntegerField())


def _park(column_id: int, parked: dict[int, int]) -> None:
    """Set each task ``pk`` of ``parked`` to its parking rank, in one statement.

    Skips a task archived meanwhile (it has left the order, its rank is NULL).
    """
    table = connection.ops.quote_name(Task._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A join with the (id, rank) pairs is linear in the window; a CASE
            # with a branch per row is quadratic (about 50 ms at 1,000 rows).
            cursor.execute(
                f"UPDATE {table} AS t SET rank = v.rank"  # noqa: S608 - a table name, not input
                " FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, rank)"
                " WHERE t.id = v.id AND t.column_id = %s AND NOT t.archived",
                [list(parked), list(parked.values()), column_id],
            )
            return
        # Elsewhere a CASE, written out because building it from ORM expressions
        # costs more than running it; in chunks, to stay under SQLite's limit
        # on parameters. Parking ranks are free, so any order of rows is safe.
        pairs = list(parked.items())
        for chunk in (pairs[i : i + 500] for i in range(0, len(pairs), 500)):
            branches = " ".join("WHEN %s THEN %s" for _ in chunk)
            ids = ", ".join("%s" for _ in chunk)
            cursor.execute(
                f"UPDATE {table} SET rank = CASE id {branches} END"  # noqa: S608 - as above
                f" WHERE column_id = %s AND NOT archived AND id IN ({ids})",
                [*(value for pair in chunk for value in pair), column_id, *(pk for pk, _ in chunk)],
            )
