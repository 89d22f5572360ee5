"""``make bench`` judges issue 10's targets itself: each as a ratio to the floor of the
same run, queries and bytes included, so the verdict does not depend on the machine."""

from __future__ import annotations

from io import StringIO

import pytest

from tasks.management.commands.bench_board import (
    ISSUE_BARE_MS,
    TARGETS,
    Command,
    Row,
    wrk_requests_per_second,
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


WRK_REPORT = """Running 5s test @ http://127.0.0.1:40213/projects/2/board/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    58.12ms   10.01ms 120.50ms   80.00%
    Req/Sec    34.50      6.20    50.00     70.00%
  345 requests in 5.01s, 62.10MB read
Requests/sec:     68.86
Transfer/sec:     12.40MB
"""


def test_the_throughput_is_read_from_wrk_and_says_so():
    assert wrk_requests_per_second(WRK_REPORT) == 68.86
    results = _results(bare_ms=3.4, board_100_ms=29.0)
    command = Command(stdout=StringIO())
    command._database = lambda: "PostgreSQL"
    command._print(results, 68.86, workers=2, rounds=1, measured_by="wrk -t2 -c4")
    assert "4 concurrent clients (wrk -t2 -c4): 69 req/s (target ≥ 30: yes)" in (
        command.stdout.getvalue()
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("  Non-2xx or 3xx responses: 345\n", "345 answers were not a success"),
        ("  Socket errors: connect 0, read 4, write 0, timeout 0\n", "Socket errors"),
    ],
)
def test_a_wrk_run_with_failures_is_no_throughput(extra, message):
    report = WRK_REPORT.replace("Requests/sec", extra + "Requests/sec")
    with pytest.raises(RuntimeError, match=message):
        wrk_requests_per_second(report)
    with pytest.raises(RuntimeError, match="no Requests/sec"):
        wrk_requests_per_second("unable to connect to 127.0.0.1:1 Connection refused")
