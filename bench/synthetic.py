"""How fast ``manage.py generate_synthetic`` writes cases. Runs on a throwaway test database
(PostgreSQL with WAYHOME_DATABASE_URL, else SQLite), destroyed at the end.

    .venv/bin/python bench/synthetic.py [cases] [workers]      (default 100000 cases, 2 workers)

Prints the cases per second (the target is 5,000 on PostgreSQL), the rows written per table and
per second, and the stack's limit measured in the same run: PostgreSQL ``COPY`` of the same
number of rows, each as wide as the average generated row, into a table without indexes or
constraints (what loading the data would cost with no index, no foreign key, no encryption and
nothing computed). The ratio says what the indexes, the deferred foreign-key checks, the
encryption and the building of the rows in Python cost on top of that.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from wayhome.core import synthetic  # noqa: E402


def copy_limit(rows: int, width: int) -> float:
    """Seconds to COPY ``rows`` rows of ``width`` bytes into an unindexed temporary table."""
    line = ("x" * max(1, width)).encode()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_copy (value text)")
        raw = connection.connection.cursor()
        started = time.perf_counter()
        with raw.copy("COPY bench_copy (value) FROM STDIN") as copy:
            for _ in range(rows):
                copy.write_row((line,))
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        result = synthetic.generate(
            synthetic.Options(cases=cases, batch=2000, workers=workers),
            allow_production=False,
        )
        rows = sum(result.rows.values())
        print(
            f"{connection.vendor}: {result.cases:,} cases, {result.people:,} people, "
            f"{rows:,} rows in {result.case_seconds:.1f} s: {result.rate:,.0f} cases/s, "
            f"{rows / result.case_seconds:,.0f} rows/s (workers {workers})"
        )
        for label, n in sorted(result.rows.items(), key=lambda item: -item[1]):
            print(f"  {label}: {n:,} ({n / max(1, result.cases):.2f} per case)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT sum(pg_relation_size(relid)) FROM pg_stat_user_tables "
                    "WHERE relname = ANY(%s)",
                    [[m._meta.db_table for m in synthetic.MODELS]],
                )
                heap = int(cursor.fetchone()[0] or 0)
            width = heap // max(1, rows)
            limit = copy_limit(rows, width)
            print(
                f"limit: bare COPY of {rows:,} rows of {width} bytes, no index: "
                f"{limit:.1f} s ({rows / limit:,.0f} rows/s, {cases / limit:,.0f} cases/s); "
                f"ratio {result.case_seconds / limit:.1f}x"
            )
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
