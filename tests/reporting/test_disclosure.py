"""Cell suppression: hand-worked tables, and hypothesis over random tables checked by exact
linear algebra, independently of the algorithm (no graph, no bridges: Gaussian elimination over
fractions on the table's own equations)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from wayhome.reporting.disclosure import augment, published, suppress

Cell = tuple[int, int]


def uniform(interior: Sequence[Sequence[int]], k: int = 5) -> list[list[int]]:
    return [[k] * (len(interior[0]) + 1) for _ in range(len(interior) + 1)]


# --- the independent check -------------------------------------------------------------------


def echelon(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    """The non-zero rows of the reduced row echelon form (Gauss-Jordan over exact fractions):
    a basis of the row space, so its length is the rank."""
    rows = [row[:] for row in matrix]
    width = len(rows[0]) if rows else 0
    found = 0
    for col in range(width):
        pivot = next((r for r in range(found, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        head = rows[found]
        for r in range(len(rows)):
            if r != found and rows[r][col] != 0:
                factor = rows[r][col] / head[col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], head, strict=True)]
        found += 1
    return rows[:found]


def rank(matrix: list[list[Fraction]]) -> int:
    return len(echelon(matrix))


def equations(n_rows: int, n_cols: int) -> list[dict[Cell, int]]:
    """The relations a reader knows, over the augmented table (R = n_rows - 1, C = n_cols - 1):
    each row's interior cells minus its total is 0, and each column's likewise (which includes
    the totals row and the totals column adding up to the grand total)."""
    result: list[dict[Cell, int]] = []
    for i in range(n_rows):
        eq = {(i, j): 1 for j in range(n_cols - 1)}
        eq[(i, n_cols - 1)] = -1
        result.append(eq)
    for j in range(n_cols):
        eq = {(i, j): 1 for i in range(n_rows - 1)}
        eq[(n_rows - 1, j)] = -1
        result.append(eq)
    return result


def derivable(n_rows: int, n_cols: int, suppressed: frozenset[Cell]) -> set[Cell]:
    """The withheld cells a reader can compute exactly from the published ones: those whose unit
    vector lies in the row space of the equations restricted to the withheld cells (the
    published cells go to the constant side)."""
    unknowns = sorted(suppressed)
    if not unknowns:
        return set()
    matrix = [[Fraction(eq.get(cell, 0)) for cell in unknowns] for eq in equations(n_rows, n_cols)]
    # Appending e_x to the coefficient matrix or to a basis of its row space gives the same
    # rank; the basis is smaller, so it is used for the many comparisons.
    basis = echelon(matrix)
    found = set()
    for position, cell in enumerate(unknowns):
        unit = [Fraction(int(p == position)) for p in range(len(unknowns))]
        if rank([*basis, unit]) == len(basis):
            found.add(cell)
    return found


def test_checker_sees_a_lone_suppression() -> None:
    # Withholding only the 3 (and its repeated row total) gives it away through the total.
    assert derivable(4, 2, frozenset({(1, 0), (1, 1)})) == {(1, 0), (1, 1)}
    # One cell of a 2x2 interior, alone: derivable from its row.
    assert derivable(3, 3, frozenset({(0, 1)})) == {(0, 1)}
    # A full rectangle is not.
    assert derivable(3, 3, frozenset({(0, 0), (0, 1), (1, 0), (1, 1)})) == set()


# --- hand-worked examples --------------------------------------------------------------------


def test_augment_adds_row_totals_column_totals_and_grand_total() -> None:
    assert augment([[1, 2], [3, 4]]) == [[1, 2, 3], [3, 4, 7], [4, 6, 10]]
    assert augment([[12], [3], [40]]) == [[12, 12], [3, 3], [40, 40], [55, 55]]


def test_one_way_table_hides_a_second_row_with_the_small_one() -> None:
    interior = [[12], [3], [40]]
    suppressed = suppress(interior, uniform(interior))
    assert (1, 0) in suppressed
    assert (1, 1) in suppressed  # its row total repeats it
    other_rows = {i for i, _j in suppressed} - {1}
    assert other_rows & {0, 2}  # at least one other row, so the total does not give it away
    # The cheapest other row is the 12, with its repeated total; the grand total stays.
    assert suppressed == frozenset({(0, 0), (0, 1), (1, 0), (1, 1)})
    assert published(augment(interior), suppressed) == [
        [None, None],
        [None, None],
        [40, 40],
        [55, 55],
    ]
    assert derivable(4, 2, suppressed) == set()


def test_one_small_cell_in_a_two_by_two_needs_a_full_rectangle() -> None:
    interior = [[20, 3], [30, 40]]
    suppressed = suppress(interior, uniform(interior))
    assert suppressed == frozenset({(0, 0), (0, 1), (1, 0), (1, 1)})
    assert published(augment(interior), suppressed) == [
        [None, None, 23],
        [None, None, 70],
        [50, 43, 93],
    ]


def test_single_interior_row_hides_a_second_column() -> None:
    interior = [[12, 3, 40]]
    suppressed = suppress(interior, uniform(interior))
    assert suppressed == frozenset({(0, 0), (1, 0), (0, 1), (1, 1)})


def test_nothing_is_suppressed_when_every_cell_reaches_the_threshold() -> None:
    interior = [[5, 9], [12, 30]]
    assert suppress(interior, uniform(interior)) == frozenset()
    assert published(augment(interior), frozenset()) == [[5, 9, 14], [12, 30, 42], [17, 39, 56]]


def test_zeros_are_published_and_never_chosen() -> None:
    interior = [[0, 2, 50], [0, 60, 70], [8, 90, 0]]
    suppressed = suppress(interior, uniform(interior))
    table = augment(interior)
    assert (0, 1) in suppressed
    assert all(table[i][j] >= 1 for i, j in suppressed)
    assert {(0, 0), (1, 0), (2, 2)}.isdisjoint(suppressed)
    assert derivable(4, 4, suppressed) == set()


def test_all_zero_table_publishes_everything() -> None:
    assert suppress([[0, 0], [0, 0]], uniform([[0, 0], [0, 0]])) == frozenset()


def test_a_small_margin_is_suppressed() -> None:
    # Interior cells 0 and 2 are small; the row total 2 is small too.
    interior = [[0, 2, 0], [30, 40, 50], [60, 70, 80]]
    suppressed = suppress(interior, uniform(interior))
    assert (0, 3) in suppressed
    assert (0, 1) in suppressed
    assert derivable(4, 4, suppressed) == set()
    # A margin between 1 and k-1 while every interior cell is 0 or >= k.
    interior = [[0, 0], [6, 0], [20, 30]]
    thresholds = uniform(interior)
    thresholds[3][0] = 30  # the column total 26 is small for this threshold
    suppressed = suppress(interior, thresholds)
    assert (3, 0) in suppressed
    assert derivable(4, 3, suppressed) == set()


def test_sensitive_row_uses_the_higher_threshold() -> None:
    interior = [[7, 12, 50], [15, 20, 7], [11, 13, 90]]
    thresholds = uniform(interior)
    thresholds[0] = [10] * 4  # row 0 is a sensitive breakdown (e.g. trafficking)
    suppressed = suppress(interior, thresholds)
    assert (0, 0) in suppressed
    assert (1, 2) not in suppressed  # the same 7 in an ordinary row is published
    shown = published(augment(interior), suppressed)
    assert shown[1][2] == 7
    # The cheapest cycle through the 7: the 12 beside it, and the 11 and 13 below.
    assert suppressed == frozenset({(0, 0), (0, 1), (2, 0), (2, 1)})
    # With the ordinary threshold everywhere, neither 7 is withheld.
    assert suppress(interior, uniform(interior)) == frozenset()
    assert derivable(4, 4, suppressed) == set()


def test_large_table_is_protected() -> None:
    # 30 x 8 with a pattern of small cells; checked by the exact algebra too.
    interior = [[(i * 7 + j * 3) % 11 for j in range(8)] for i in range(30)]
    thresholds = uniform(interior)
    suppressed = suppress(interior, thresholds)
    table = augment(interior)
    for i, row in enumerate(table):
        for j, value in enumerate(row):
            if 1 <= value < 5:
                assert (i, j) in suppressed
    assert all(table[i][j] >= 1 for i, j in suppressed)
    assert derivable(31, 9, suppressed) == set()
    assert suppress(interior, thresholds) == suppressed


# --- properties over random tables -----------------------------------------------------------

counts = st.one_of(
    st.just(0), st.integers(min_value=1, max_value=12), st.integers(min_value=13, max_value=500)
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[list[int]], list[list[int]]]:
    n_rows = draw(st.integers(min_value=1, max_value=6))
    n_cols = draw(st.integers(min_value=1, max_value=6))
    interior = draw(
        st.lists(
            st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
        )
    )
    row_k = draw(st.lists(st.sampled_from([5, 10]), min_size=n_rows + 1, max_size=n_rows + 1))
    col_k = draw(st.lists(st.sampled_from([5, 10]), min_size=n_cols + 1, max_size=n_cols + 1))
    thresholds = [[max(rk, ck) for ck in col_k] for rk in row_k]
    return interior, thresholds


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_small_cell_is_published(case: tuple[list[list[int]], list[list[int]]]) -> None:
    interior, thresholds = case
    suppressed = suppress(interior, thresholds)
    shown = published(augment(interior), suppressed)
    for i, row in enumerate(shown):
        for j, value in enumerate(row):
            assert value is None or not 1 <= value < thresholds[i][j], (i, j, value)


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_suppressed_cell_can_be_derived(case: tuple[list[list[int]], list[list[int]]]) -> None:
    interior, thresholds = case
    suppressed = suppress(interior, thresholds)
    table = augment(interior)
    # Every withheld cell is at least 1, so shifting +1/-1 around a cycle stays non-negative.
    assert all(table[i][j] >= 1 for i, j in suppressed)
    assert derivable(len(table), len(table[0]), suppressed) == set()


@settings(max_examples=100, deadline=None)
@given(tables())
def test_suppression_is_deterministic(case: tuple[list[list[int]], list[list[int]]]) -> None:
    interior, thresholds = case
    first = suppress(interior, thresholds)
    assert suppress([row[:] for row in interior], [row[:] for row in thresholds]) == first
