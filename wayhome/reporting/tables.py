"""Tables of counts: a breakdown of ``ReturnFact`` rows by one or two dimensions, with margins, and
the disclosure control that decides which cells may be published.

A ``Table`` keeps the exact counts; ``protect()`` returns the same table with the cells that must
not be published marked (``disclosure.suppress``: small cells and the cells that would let them be
recovered from the totals). Whatever leaves the system or is shown to someone who may not see the
cases counted is read through ``Table.published``, which gives ``None`` for a suppressed cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext_lazy as _

from wayhome.reporting import disclosure
from wayhome.reporting.dimensions import DIMENSIONS, Dimension
from wayhome.reporting.models import ReturnFact

TOTAL = "__total__"
COUNT = "count"


@dataclass(frozen=True)
class Key:
    code: str
    label: str


def threshold() -> int:
    return int(getattr(settings, "DISCLOSURE_K", 5))


def sensitive_threshold() -> int:
    return int(getattr(settings, "DISCLOSURE_K_SENSITIVE", 10))


@dataclass(frozen=True)
class Table:
    """Counts by ``rows`` (and ``cols``; a one-way table has the single column ``COUNT``)."""

    title: str
    row_dimension: Dimension
    col_dimension: Dimension | None
    rows: tuple[Key, ...]
    cols: tuple[Key, ...]
    counts: dict[tuple[str, str], int]  # interior cells; a missing cell is 0
    measure: str = "people"  # or "cases"
    #: The whole table counts a sensitive group (a filter on trafficking, children or health).
    sensitive: bool = False
    #: Suppressed cells, as (row code or TOTAL, column code or TOTAL).
    suppressed: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    protected: bool = False

    @property
    def one_way(self) -> bool:
        return self.col_dimension is None

    def value(self, row: str, col: str) -> int:
        """The exact count of a cell or a margin (``TOTAL`` for a total)."""
        rows = [key.code for key in self.rows] if row == TOTAL else [row]
        cols = [key.code for key in self.cols] if col == TOTAL else [col]
        return sum(self.counts.get((r, c), 0) for r in rows for c in cols)

    def published(self, row: str, col: str) -> int | None:
        """The cell as it may be shown: ``None`` when suppressed."""
        if (row, col) in self.suppressed:
            return None
        return self.value(row, col)

    @property
    def total(self) -> int:
        return self.value(TOTAL, TOTAL)

    def threshold_of(self, row: str, col: str) -> int:
        """The disclosure threshold of a cell: the stricter one when the cell (or the table)
        counts a sensitive group."""
        sensitive = self.sensitive or row in self.row_dimension.sensitive
        if self.col_dimension is not None:
            sensitive = sensitive or col in self.col_dimension.sensitive
        return sensitive_threshold() if sensitive else threshold()

    def protect(self) -> Table:
        """This table with its unpublishable cells marked (idempotent)."""
        if self.protected:
            return self
        row_codes = [key.code for key in self.rows]
        col_codes = [key.code for key in self.cols]
        if not row_codes or not col_codes:
            # Nothing was counted (a breakdown with no code found has no fact at all): every
            # published figure is 0. (Found by tests/security/test_schemathesis.py: a server error.)
            return replace(self, protected=True)
        interior = [[self.counts.get((r, c), 0) for c in col_codes] for r in row_codes]
        all_rows = [*row_codes, TOTAL]
        all_cols = [*col_codes, TOTAL]
        thresholds = [[self.threshold_of(r, c) for c in all_cols] for r in all_rows]
        cells = disclosure.suppress(interior, thresholds)
        suppressed = frozenset((all_rows[i], all_cols[j]) for i, j in cells)
        return replace(self, suppressed=suppressed, protected=True)

    def grid(self, *, exact: bool = False) -> list[list[int | None]]:
        """Rows of cells (then the totals row), each ending with its row total."""
        all_rows = [*(key.code for key in self.rows), TOTAL]
        all_cols = [*(key.code for key in self.cols), TOTAL]
        read = self.value if exact else self.published
        return [[read(r, c) for c in all_cols] for r in all_rows]


def _keys(dimension: Dimension, found: set[str]) -> tuple[Key, ...]:
    if dimension.codes is not None:
        codes = list(dimension.codes())
        codes += sorted(found - set(codes))
        # A "not known" row only when something is not known.
        codes = [code for code in codes if code != "" or code in found]
        return tuple(Key(code, dimension.label_for(code)) for code in codes)
    keys = [Key(code, dimension.label_for(code)) for code in found]
    keys.sort(key=lambda key: (key.code == "", key.label.casefold(), key.code))
    return tuple(keys)


def _expression(dimension: Dimension) -> Any:
    expression = dimension.expression
    return F(expression) if isinstance(expression, str) else expression


def _period(dimension: Dimension) -> bool:
    return dimension.name in {"month", "quarter", "year"}


def tabulate(
    facts: QuerySet[ReturnFact],
    rows: str,
    cols: str | None = None,
    *,
    measure: str = "people",
    title: str = "",
    sensitive: bool = False,
) -> Table:
    """Count ``facts`` by the dimension ``rows`` (and ``cols``): one query.

    ``measure="cases"`` counts each case once (its principal applicant's row). Period dimensions
    count departures only (a person not yet departed has no month of departure)."""
    row_dimension = DIMENSIONS[rows]
    col_dimension = DIMENSIONS[cols] if cols else None
    queryset = facts
    if measure == "cases":
        queryset = queryset.filter(principal=True)
    if _period(row_dimension) or (col_dimension is not None and _period(col_dimension)):
        queryset = queryset.exclude(departure_date=None)
    names: dict[str, Any] = {"r": _expression(row_dimension)}
    if col_dimension is not None:
        names["c"] = _expression(col_dimension)
    grouped = (
        queryset.order_by()
        .annotate(**names)
        .values(*names)
        .annotate(n=Count("id"))
        .values_list(*names, "n")
    )
    counts: dict[tuple[str, str], int] = {}
    for values in grouped:
        row_key = row_dimension.key_of(values[0])
        col_key = col_dimension.key_of(values[1]) if col_dimension is not None else COUNT
        counts[(row_key, col_key)] = counts.get((row_key, col_key), 0) + int(values[-1])
    return _table(row_dimension, col_dimension, counts, measure, title, sensitive)


def _table(
    row_dimension: Dimension,
    col_dimension: Dimension | None,
    counts: dict[tuple[str, str], int],
    measure: str,
    title: str,
    sensitive: bool,
) -> Table:
    row_keys = _keys(row_dimension, {r for r, _c in counts})
    if _period(row_dimension):
        row_keys = tuple(sorted(row_keys, key=lambda key: key.code))
    if col_dimension is None:
        col_keys: tuple[Key, ...] = (
            Key(COUNT, str(_("Cases") if measure == "cases" else _("People"))),
        )
    else:
        col_keys = _keys(col_dimension, {c for _r, c in counts})
        if _period(col_dimension):
            col_keys = tuple(sorted(col_keys, key=lambda key: key.code))
    return Table(
        title=title or str(row_dimension.label),
        row_dimension=row_dimension,
        col_dimension=col_dimension,
        rows=row_keys,
        cols=col_keys,
        counts=counts,
        measure=measure,
        sensitive=sensitive,
    )


#: The count of each (measure, departures only) in the one-pass query of ``tabulate_many``.
_MEASURES = {
    ("people", False): "COUNT(*)",
    ("people", True): "COUNT(*) FILTER (WHERE s.departure_date IS NOT NULL)",
    ("cases", False): "COUNT(*) FILTER (WHERE s.principal)",
    ("cases", True): "COUNT(*) FILTER (WHERE s.principal AND s.departure_date IS NOT NULL)",
}


def tabulate_many(
    facts: QuerySet[ReturnFact],
    specs: Sequence[tuple[str, str | None, str]],
    *,
    sensitive: bool = False,
) -> list[Table]:
    """The tables ``tabulate(facts, rows, cols, measure=...)`` of every ``(rows, cols, measure)``
    in ``specs``, equal to them, in one reading of the facts on PostgreSQL (``GROUPING SETS``,
    one hash table per table, and a filtered count per measure) instead of one per table: the
    first request of a dashboard at a million returns took the sum of its tables' scans.
    SQLite has no grouping sets: one query per table there."""
    if connection.vendor != "postgresql" or len(specs) < 2:
        return [
            tabulate(facts, rows, cols, measure=measure, sensitive=sensitive)
            for rows, cols, measure in specs
        ]
    names = sorted({name for rows, cols, _m in specs for name in (rows, cols) if name})
    alias = {name: f"d{i}" for i, name in enumerate(names)}
    annotated = (
        facts.order_by()
        .annotate(**{alias[name]: _expression(DIMENSIONS[name]) for name in names})
        .values(*alias.values(), "principal", "departure_date")
    )
    inner, params = annotated.query.sql_with_params()
    columns = [f"s.{alias[name]}" for name in names]

    def grouped(rows: str, cols: str | None) -> tuple[str, ...]:
        return tuple(name for name in (rows, cols) if name)

    sets = sorted({grouped(rows, cols) for rows, cols, _m in specs})
    measures = sorted(
        {(m, any(_period(DIMENSIONS[n]) for n in grouped(r, c))) for r, c, m in specs}
    )
    # Only our own aliases and constant aggregates are spliced in; values are bound parameters.
    sql = (
        f"SELECT {', '.join(columns)}, GROUPING({', '.join(columns)}), "  # noqa: S608
        f"{', '.join(_MEASURES[m] for m in measures)} FROM ({inner}) s "
        "GROUP BY GROUPING SETS ("
        + ", ".join("(" + ", ".join(f"s.{alias[n]}" for n in group) + ")" for group in sets)
        + ")"
    )

    def mask(group: tuple[str, ...]) -> int:  # GROUPING(): a 1 for each column rolled up
        return sum(1 << (len(names) - 1 - i) for i, n in enumerate(names) if n not in group)

    results: dict[tuple[int, tuple[str, bool]], list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for record in cursor.fetchall():
            values, bits, totals = (
                record[: len(names)],
                record[len(names)],
                record[-len(measures) :],
            )
            for kind, n in zip(measures, totals, strict=True):
                if n:
                    results.setdefault((bits, kind), []).append((*values, n))
    tables = []
    for rows, cols, measure in specs:
        group = grouped(rows, cols)
        period = any(_period(DIMENSIONS[n]) for n in group)
        row_dimension = DIMENSIONS[rows]
        col_dimension = DIMENSIONS[cols] if cols else None
        counts: dict[tuple[str, str], int] = {}
        for record in results.get((mask(group), (measure, period)), []):
            row_key = row_dimension.key_of(record[names.index(rows)])
            col_key = (
                col_dimension.key_of(record[names.index(col_dimension.name)])
                if col_dimension is not None
                else COUNT
            )
            counts[(row_key, col_key)] = counts.get((row_key, col_key), 0) + int(record[-1])
        tables.append(_table(row_dimension, col_dimension, counts, measure, "", sensitive))
    return tables


def table_rows(table: Table, *, exact: bool = False) -> Sequence[tuple[Key, list[int | None]]]:
    """``(row key, cells with the row total last)`` for each row then the totals row."""
    keys = [*table.rows, Key(TOTAL, str(_("Total")))]
    return list(zip(keys, table.grid(exact=exact), strict=True))
