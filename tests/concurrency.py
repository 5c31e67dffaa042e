"""Helpers for tests where several threads write at once, each on its own connection."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

T = TypeVar("T")


def retrying(work: Callable[[], T]) -> T:
    """Run ``work``, trying again while SQLite reports a locked table.

    The SQLite test database is in memory with a shared cache, where a locked table is reported
    at once (``database table is locked``) instead of waiting out the busy timeout as a file
    database does; this plays the busy handler, for up to a minute (a count of attempts ran out
    on a loaded machine, where fifty threads share two cores). On PostgreSQL every error is
    raised at once. Retries back off exponentially (1 ms to 50 ms, with jitter) for up to two
    minutes.
    """
    deadline = time.monotonic() + 120
    pause = 0.001
    while True:
        try:
            return work()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise AssertionError("never got a turn") from exc
            # Back off with jitter: threads retrying every millisecond in step starve the one
            # holding the lock of the interpreter and keep colliding (seen on a loaded machine).
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(pause * 2, 0.05)
