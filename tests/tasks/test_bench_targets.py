"""``make bench`` judges issue 10's targets itself: each as a ratio to the floor of the
same run, queries and bytes included, so the verdict does not depend on the machine."""

from __future__ import annotations

from io import StringIO

from tasks.management.commands.bench_board import (
    ISSUE_BARE_MS,
    TARGETS,
    Command,
    Row,
)


def _row(name, floor="bare", times=(10.0,), **fields) -> Row:
    row = Row(name, floor)
    row.times = list(times)
    for key, value in fields.items():
        setattr(row, key, value)
    return row


def test_a_row_holds_only_when_time_queries_and_size_all_do():
    row = _row("move", target=8.8, max_queries=10, max_kb=5, queries=10, size=300)
    assert row.verdict(8.8) == "≤ 8.80 yes"
    assert row.verdict(8.9) == "≤ 8.80 NO"
    row.queries = 11
    assert row.verdict(1.0) == "≤ 8.80 NO"
    row.queries, row.size = 10, 6 * 1024
    assert row.verdict(1.0) == "≤ 8.80 NO"
    assert _row("task page").verdict(50.0) == ""  # no target: no verdict


def test_millisecond_targets_become_bare_views_of_the_issues_run():
    assert TARGETS["api_move"] == 10 / ISSUE_BARE_MS
    assert TARGETS["dialog"] == 20 / ISSUE_BARE_MS


def _results(bare_ms: float, board_100_ms: float) -> list:
    boards = []
    for size in (100, 500, 2000):
        rows = {
            "floor_board": _row("floor", "board", times=[20.0 * size / 100]),
            "board": _row(
                "board open, first paint",
                "board",
                times=[board_100_ms if size == 100 else 25.0],
                target=TARGETS["board"],
                queries=8,
                max_queries=12,
            ),
            "api_move": _row("move, API", times=[5 * bare_ms], target=TARGETS["api_move"]),
        }
        rows["board"].size = rows["board"].gzip_size = 1000
        rows["board_all"] = _row("all", "board", times=[20.0 * size / 100])
        boards.append((size, rows))
    return [(0, {"bare": _row("bare", times=[bare_ms])}), *boards]


def _printed(results: list, throughput: float) -> str:
    command = Command(stdout=StringIO())
    command._database = lambda: "PostgreSQL"
    command._print(results, throughput, workers=2, rounds=1)
    return command.stdout.getvalue()


def test_the_table_says_which_targets_hold_and_which_do_not():
    # A machine twice as slow as the issue's: a bare view of 3.4 ms.
    text = _printed(_results(bare_ms=3.4, board_100_ms=29.0), throughput=31.0)
    board_100 = next(line for line in text.splitlines() if line.startswith("| board open"))
    assert "|      1.45 | ≤ 1.50 yes |" in board_100  # 29 ms against the floor's 20 ms
    # Kanboard's 43 ms were 25.3 of the issue's bare views; 29 ms are 8.5 of this run's.
    assert "100 cards: 3.0× faster (target ≥ 3: NO)" in text
    assert "500 cards: 13.9× faster (target ≥ 3: yes)" in text
    assert "(target ≥ 30: yes)" in text  # 60 requests/s at 1.7 ms is 30 at 3.4 ms
    summary = text.split("targets of issue 10: ")[1].splitlines()[0]
    assert summary.endswith("; not: 3× Kanboard, 100 cards")


def test_all_targets_held_are_summed_up():
    text = _printed(_results(bare_ms=1.7, board_100_ms=14.0), throughput=80.0)
    summary = text.split("targets of issue 10: ")[1].splitlines()[0]
    assert summary == "9 of 9 hold"  # 3 sizes × 2 rows, throughput, Kanboard twice
