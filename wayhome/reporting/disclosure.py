"""Disclosure control for two-way tables of counts: primary and secondary cell suppression.

Pure functions, no database and no Django. A table is given by its R x C *interior* of counts;
``augment()`` adds the margins, giving an (R+1) x (C+1) *augmented* table: row ``R`` holds the
column totals, column ``C`` the row totals and ``(R, C)`` the grand total. ``suppress()`` takes
that interior and one threshold ``k`` per augmented cell (5 for most, 10 for sensitive
breakdowns: trafficking, children, health) and returns the augmented coordinates to withhold;
``published()`` turns the table into what may be shown, ``None`` where a cell is withheld.

The method
----------
1. **Primary suppression.** Every cell, interior or margin, whose value ``v`` satisfies
   ``1 <= v < k`` is withheld. A zero is published (saying that nobody is in a cell is allowed)
   and is never chosen as a secondary suppression.

2. **Secondary suppression.** A reader knows the linear relations of the table: each row's
   interior cells add up to its row total, each column's to its column total, and the totals row
   and the totals column each add up to the grand total. With the published cells moved to the
   constant side, the withheld cells are the unknowns of the system

       for each row i:     sum_{j<C} x[i][j] - x[i][C] = const
       for each column j:  sum_{i<R} x[i][j] - x[R][j] = const

   Model the augmented table as a bipartite graph: one node per augmented row (0..R), one per
   augmented column (0..C), and each cell ``(i, j)`` an edge between row ``i`` and column ``j``.
   The coefficient matrix restricted to the withheld cells is the signed incidence matrix of the
   subgraph of withheld cells. Negate the equations of row ``R`` and column ``C``: an interior
   cell and the grand total then have +1 in both of their equations and a row or column total
   -1 in both, so negating the variables of those totals turns every sign into +1. The
   unsigned incidence matrix of a bipartite graph is, up to the sign of the column equations,
   an oriented incidence matrix. Its null space is therefore spanned by the cycles of the
   graph, and a withheld cell is determined by the published ones exactly when its edge lies
   on no cycle, that is when it is a **bridge** of the graph of withheld cells.

   Integrality and non-negativity do not help the reader either: every withheld cell is at
   least 1 (zeros are never withheld), so adding +1 and -1 alternately around a cycle gives
   another table of non-negative integers with the same published cells. Every withheld cell on
   a cycle has at least two possible values.

   So the algorithm finds the bridges of the graph of withheld cells (Tarjan's algorithm,
   iterative) and, for each one in turn, withholds the cheapest set of further cells that puts
   it on a cycle: the cheapest path between its two ends that avoids it, where a cell already
   withheld costs nothing, a non-zero cell costs its value and a zero cell cannot be used
   (Dijkstra). Ties are broken towards fewer margin cells, then by node order, so the result is
   deterministic. A rectangle ``(i, j'), (i', j), (i', j')`` is one such path, so the result
   costs no more than the cheapest rectangle would.

   Termination and correctness: adding edges to a graph never turns an edge that lies on a cycle
   into a bridge, and every edge of an added path lies on the cycle it closes with the bridge. So
   the bridges of the final graph are among those of the first one, and each of those is either
   already on a cycle when its turn comes (its path costs nothing: nothing is added) or is put on
   one. One pass over the first graph's bridges leaves none.

   A path always exists (see ``_cheapest_path``): for a withheld cell of value ``v >= 1`` the
   margins offer a rectangle of non-zero cells, e.g. for an interior ``(i, j)`` the row total
   ``(i, C)``, the column total ``(R, j)`` and the grand total ``(R, C)``, each ``>= v``.

One-way tables (a single interior column, or a single interior row) need no special case: the
row totals then repeat the column cell by cell, and putting a withheld cell on a cycle means
withholding a second row (or column) together with its repeated total, so that the withheld
cells cannot be recovered from the grand total.

Limits
------
- Linked tables that share margins (the same counts broken down by country in one table and by
  sex in another) are not protected against each other: each call protects one table only.
- No interval protection is attempted: a reader learns that a withheld cell is at least 1 (and
  bounds from the published margins), not more; the protection is that it cannot be derived
  exactly. Zeros are published by design.
- The suppression pattern is a greedy heuristic, not a minimum-cost one (that problem is
  NP-hard); it is cheap, deterministic and always safe in the sense above.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

Cell = tuple[int, int]


def _check_interior(interior: Sequence[Sequence[int]]) -> tuple[int, int]:
    rows = len(interior)
    if rows < 1:
        raise ValueError("a table needs at least one row")
    cols = len(interior[0])
    if cols < 1:
        raise ValueError("a table needs at least one column")
    for row in interior:
        if len(row) != cols:
            raise ValueError("every row of a table needs the same number of cells")
        for value in row:
            if value < 0:
                raise ValueError("counts cannot be negative")
    return rows, cols


def augment(interior: Sequence[Sequence[int]]) -> list[list[int]]:
    """The table with its margins: a row total at the end of each row, then a row of column
    totals ending with the grand total."""
    rows, cols = _check_interior(interior)
    table = [[*row, sum(row)] for row in interior]
    table.append([sum(table[i][j] for i in range(rows)) for j in range(cols + 1)])
    return table


def published(
    augmented: Sequence[Sequence[int]], suppressed: frozenset[Cell] | set[Cell]
) -> list[list[int | None]]:
    """The augmented table as it may be shown: ``None`` in place of every withheld cell."""
    return [
        [None if (i, j) in suppressed else value for j, value in enumerate(row)]
        for i, row in enumerate(augmented)
    ]


def suppress(
    interior: Sequence[Sequence[int]], thresholds: Sequence[Sequence[int]]
) -> frozenset[Cell]:
    """The augmented cells to withhold so that no small count is shown or can be derived.

    ``interior`` is an R x C table of non-negative counts; ``thresholds`` gives the ``k`` of each
    of the (R+1) x (C+1) augmented cells. A cell is withheld if ``1 <= value < k`` (primary), or
    if it is needed so that no withheld cell can be computed from the published ones and the
    totals (secondary). See the module docstring for the method.
    """
    table = augment(interior)
    n_rows, n_cols = len(table), len(table[0])  # R + 1, C + 1
    if len(thresholds) != n_rows or any(len(row) != n_cols for row in thresholds):
        raise ValueError("thresholds need one value per cell of the table with its totals")

    withheld = [[1 <= table[i][j] < thresholds[i][j] for j in range(n_cols)] for i in range(n_rows)]
    usable = _usable_cells(table)
    for i, j in _bridges(withheld):
        for cell in _cheapest_path(usable, withheld, i, j):
            withheld[cell[0]][cell[1]] = True
    return frozenset((i, j) for i in range(n_rows) for j in range(n_cols) if withheld[i][j])


def _bridges(withheld: list[list[bool]]) -> list[Cell]:
    """The withheld cells that are bridges of the graph of withheld cells, in row-major order.

    Nodes: row ``i`` is node ``i``, column ``j`` is node ``n_rows + j``. Tarjan's low-link
    algorithm with an explicit stack (no recursion limit); edges are told apart by their index,
    so the parent edge, not the parent node, is the one skipped.
    """
    n_rows, n_cols = len(withheld), len(withheld[0])
    n_nodes = n_rows + n_cols
    edges: list[Cell] = []
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for i in range(n_rows):
        for j in range(n_cols):
            if withheld[i][j]:
                edge = len(edges)
                edges.append((i, j))
                adjacency[i].append((n_rows + j, edge))
                adjacency[n_rows + j].append((i, edge))

    order = [-1] * n_nodes  # discovery time
    low = [0] * n_nodes
    found: list[Cell] = []
    clock = 0
    for root in range(n_nodes):
        if order[root] != -1 or not adjacency[root]:
            continue
        order[root] = low[root] = clock
        clock += 1
        # (node, edge it was entered by, position in its adjacency list)
        stack: list[list[int]] = [[root, -1, 0]]
        while stack:
            frame = stack[-1]
            node, via, position = frame
            if position < len(adjacency[node]):
                frame[2] += 1
                other, edge = adjacency[node][position]
                if edge == via:
                    continue
                if order[other] == -1:
                    order[other] = low[other] = clock
                    clock += 1
                    stack.append([other, edge, 0])
                elif order[other] < low[node]:
                    low[node] = order[other]
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                    if low[node] > order[parent]:
                        found.append(edges[via])
    found.sort()
    return found


def _usable_cells(table: list[list[int]]) -> list[list[tuple[int, int, int, int]]]:
    """For each node, the non-zero cells it touches as ``(other node, cost, row, column)``: the
    only cells a path may use. The cost is ``value * scale + 1`` for a margin cell and ``value *
    scale`` for an interior one; a path has fewer edges than there are nodes, so the margin
    tie-breaker never outweighs one unit of value."""
    n_rows, n_cols = len(table), len(table[0])
    scale = n_rows + n_cols + 1
    usable: list[list[tuple[int, int, int, int]]] = [[] for _ in range(n_rows + n_cols)]
    for r in range(n_rows):
        for c in range(n_cols):
            value = table[r][c]
            if value:
                cost = value * scale + (1 if r == n_rows - 1 or c == n_cols - 1 else 0)
                usable[r].append((n_rows + c, cost, r, c))
                usable[n_rows + c].append((r, cost, r, c))
    return usable


def _cheapest_path(
    usable: list[list[tuple[int, int, int, int]]], withheld: list[list[bool]], i: int, j: int
) -> list[Cell]:
    """The cells not yet withheld on the cheapest path from row ``i`` to column ``j`` that
    avoids the cell ``(i, j)`` itself; empty if ``(i, j)`` already lies on a cycle.

    A withheld cell costs nothing, any other non-zero cell its value (plus a tie-breaker that
    prefers interior cells to margins, see ``_usable_cells``); zero cells are not usable.
    Dijkstra, stopped at column ``j``; ties go to the lower node number.

    A path exists whenever ``(i, j)`` is withheld, so its value ``v`` is at least 1 (R, C >= 1
    are the numbers of interior rows and columns, so ``R`` and ``C`` index the margins):

    - interior ``(i, j)``: row total ``(i, C)``, grand total ``(R, C)``, column total ``(R, j)``
      are each at least ``v``: the path row i - column C - row R - column j;
    - row total ``(i, C)``: some interior ``(i, j')`` of row ``i`` is at least 1, hence so are
      ``(R, j')`` and ``(R, C)``: row i - column j' - row R - column C;
    - column total ``(R, j)``: symmetrically, some ``(i', j) >= 1``: row R - column C - row i' -
      column j;
    - grand total: some interior ``(i', j') >= 1``, hence ``(i', C)`` and ``(R, j')`` too:
      row R - column j' - row i' - column C.
    """
    n_rows = len(withheld)
    n_nodes = len(usable)
    source, target = i, n_rows + j
    distance: list[int | None] = [None] * n_nodes
    previous: list[Cell | None] = [None] * n_nodes
    done = [False] * n_nodes
    distance[source] = 0
    heap = [(0, source)]
    while heap:
        dist, node = heapq.heappop(heap)
        if done[node]:
            continue
        done[node] = True
        if node == target:
            break
        for other, cost, r, c in usable[node]:
            if done[other] or (r == i and c == j):
                continue
            total = dist if withheld[r][c] else dist + cost
            known = distance[other]
            if known is None or total < known:
                distance[other] = total
                previous[other] = (r, c)
                heapq.heappush(heap, (total, other))
    if not done[target]:  # pragma: no cover - impossible for a withheld cell, see above
        raise AssertionError(f"no path closes a cycle through cell {(i, j)}")

    added: list[Cell] = []
    node = target
    while node != source:
        cell = previous[node]
        assert cell is not None  # noqa: S101 - every reached node but the source has one
        if not withheld[cell[0]][cell[1]]:
            added.append(cell)
        node = cell[0] if node >= n_rows else n_rows + cell[1]
    return added
