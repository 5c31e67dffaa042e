"""Timing helpers shared by the benchmarks: the best of a few runs with its query count, the bare
SQL behind a figure (its limit), and one printed line per figure with the ratio."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def best(call: Callable[[], Any], runs: int = 5) -> tuple[float, int, Any]:
    """(the fastest of ``runs`` calls in seconds, its number of queries, its result)."""
    times = []
    result: Any = None
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = call()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return min(times), queries, result


def bare(sql: str, params: list[Any]) -> float:
    """The best time of running ``sql`` and fetching every row: a figure's limit."""

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return best(run)[0]


def report(name: str, seconds: float, queries: int, limit: float) -> None:
    print(
        f"{name}: {seconds * 1000:.1f} ms, {queries} queries; limit {limit * 1000:.2f} ms; "
        f"ratio {seconds / limit:.0f}x"
    )
