"""Small-cell suppression: primary, secondary, and the property every line with a total must keep."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from recosa_learn.stats.suppression import is_small, suppress, suppress_series


def _lines(cells, mask, row_totals, col_totals):
    """(values, hidden flags, total hidden) for every line that has a total."""
    n_rows, n_cols = len(cells), len(cells[0]) if cells else 0
    for i in range(n_rows):
        yield cells[i], mask.cells[i], mask.row_totals[i]
    for j in range(n_cols):
        yield [cells[i][j] for i in range(n_rows)], [mask.cells[i][j] for i in range(n_rows)], mask.col_totals[j]
    yield row_totals, mask.row_totals, mask.grand_total
    yield col_totals, mask.col_totals, mask.grand_total


def test_primary_rule():
    assert [is_small(v, 5) for v in (0, 1, 4, 5, 30)] == [False, True, True, False, False]


def test_single_small_cell_gets_a_complement_in_its_row_and_column():
    cells = [[3, 10, 12], [8, 9, 20], [15, 6, 7]]
    rows, cols = [sum(r) for r in cells], [sum(c) for c in zip(*cells)]
    mask = suppress(cells, 5, row_totals=rows, col_totals=cols, grand_total=sum(rows))
    assert mask.cells[0][0]
    assert sum(mask.cells[0]) >= 2  # row 0 has another hidden cell
    assert sum(r[0] for r in mask.cells) >= 2  # so has column 0
    # nothing in the grid can be recovered by subtraction
    for values, hidden, total_hidden in _lines(cells, mask, rows, cols):
        assert total_hidden or sum(hidden) != 1


def test_small_total_is_hidden_with_its_cells():
    mask = suppress([[1, 2], [10, 12]], 5, row_totals=[3, 22], col_totals=[11, 14], grand_total=25)
    assert mask.row_totals[0] and mask.cells[0] == [True, True]
    # the hidden row total (3) must not be recoverable from the grand total either
    assert sum(mask.row_totals) >= 2 or mask.grand_total


def test_hidden_cells_must_add_up_to_k():
    # 1 and 2 hidden in a row: 25 - 22 = 3 would describe 3 people → a third cell goes too
    mask = suppress([[1, 2, 22]], 5, row_totals=[25])
    assert mask.cells[0] == [True, True, True] or mask.row_totals[0]


def test_zero_stays_visible():
    mask = suppress([[0, 10, 12]], 5, row_totals=[22])
    assert mask.cells[0] == [False, False, False]


def test_series_with_total():
    hidden, total_hidden = suppress_series([3, 10, 12], 5, total=25)
    assert hidden[0] and sum(hidden) >= 2 and not total_hidden


tables = st.integers(1, 5).flatmap(
    lambda n_cols: st.lists(st.lists(st.integers(0, 30), min_size=n_cols, max_size=n_cols), min_size=1, max_size=6)
)


@settings(max_examples=300, deadline=None)
@given(cells=tables, k=st.integers(2, 10))
def test_property_no_line_has_a_lone_hidden_cell(cells, k):
    rows, cols = [sum(r) for r in cells], [sum(c) for c in zip(*cells)]
    mask = suppress(cells, k, row_totals=rows, col_totals=cols, grand_total=sum(rows))
    for values, hidden, total_hidden in _lines(cells, mask, rows, cols):
        # every small count is hidden
        assert all(h for v, h in zip(values, hidden) if is_small(v, k))
        if total_hidden:
            continue
        # either 0 or ≥2 cells hidden, and what the total reveals (their sum) is not a small count
        assert sum(hidden) != 1
        assert not is_small(sum(v for v, h in zip(values, hidden) if h), k)


@settings(max_examples=200, deadline=None)
@given(cells=tables, k=st.integers(2, 10))
def test_property_hidden_totals_are_not_sums_of_shown_cells(cells, k):
    rows, cols = [sum(r) for r in cells], [sum(c) for c in zip(*cells)]
    mask = suppress(cells, k, row_totals=rows, col_totals=cols, grand_total=sum(rows))
    for values, hidden, total_hidden in _lines(cells, mask, rows, cols):
        if total_hidden:
            assert any(hidden)
