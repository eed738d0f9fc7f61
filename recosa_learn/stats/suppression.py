"""Small-cell suppression for tables of counts with totals (pure: no Flask, no database).

Primary suppression hides every count ``n`` with ``0 < n < k``: a zero describes nobody and stays visible.
Secondary suppression then hides further cells until, in every line (row or column) whose total is shown,
no suppressed cell can be recovered by subtracting the shown cells from the total:

- a line with a shown total has either no suppressed cell or at least two, and
- the suppressed cells of such a line add up to at least ``k`` (or to zero), so their sum — which the
  total reveals — does not itself describe fewer than ``k`` people.

When a line has no cell left to hide, its total is hidden instead; a hidden total keeps at least one hidden
cell, so it is not the sum of the cells shown. Totals are cells of the margins too: the row
totals form a line whose total is the grand total, and so do the column totals. Secondary cells are chosen
smallest first (the least information lost), preferring non-zero cells, which protect better than zeros.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Cell = tuple[int, int]


@dataclass
class Mask:
    """Which cells and totals are hidden (True = suppressed)."""

    cells: list[list[bool]]
    row_totals: list[bool] | None
    col_totals: list[bool] | None
    grand_total: bool | None

    def count(self) -> int:
        return (sum(map(sum, self.cells)) + sum(self.row_totals or []) + sum(self.col_totals or [])
                + int(bool(self.grand_total)))


def is_small(value: int | None, k: int) -> bool:
    """Primary rule: a count of 1 … k-1 people is too small to show."""
    return value is not None and 0 < value < k


def suppress(
    cells: Sequence[Sequence[int]],
    k: int = 5,
    *,
    row_totals: Sequence[int] | None = None,
    col_totals: Sequence[int] | None = None,
    grand_total: int | None = None,
) -> Mask:
    """The suppression mask of a table of counts with (optional) row, column and grand totals."""
    n_rows = len(cells)
    n_cols = len(cells[0]) if n_rows else len(col_totals or [])
    if any(len(row) != n_cols for row in cells):
        raise ValueError("every row needs the same number of cells")
    if row_totals is not None and len(row_totals) != n_rows:
        raise ValueError("one row total per row")
    if col_totals is not None and len(col_totals) != n_cols:
        raise ValueError("one column total per column")

    # One grid with the margins: ("c", i, j) cells, ("r", i) row totals, ("k", j) column totals, ("g",) grand.
    value: dict[tuple, int] = {}
    for i, row in enumerate(cells):
        for j, v in enumerate(row):
            value[("c", i, j)] = int(v)
    if row_totals is not None:
        for i, v in enumerate(row_totals):
            value[("r", i)] = int(v)
    if col_totals is not None:
        for j, v in enumerate(col_totals):
            value[("k", j)] = int(v)
    if grand_total is not None:
        value[("g",)] = int(grand_total)

    lines: list[tuple[list[tuple], tuple]] = []  # (members, total)
    if row_totals is not None:
        lines += [([("c", i, j) for j in range(n_cols)], ("r", i)) for i in range(n_rows)]
        if grand_total is not None:
            lines.append(([("r", i) for i in range(n_rows)], ("g",)))
    if col_totals is not None:
        lines += [([("c", i, j) for i in range(n_rows)], ("k", j)) for j in range(n_cols)]
        if grand_total is not None:
            lines.append(([("k", j) for j in range(n_cols)], ("g",)))

    hidden = {key for key, v in value.items() if is_small(v, k)}
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            if not members:
                continue
            if total in hidden:
                # a hidden total must not be the sum of shown cells
                if all(m not in hidden for m in members):
                    hidden.add(min(members, key=lambda m: (value[m] == 0, value[m])))
                    changed = True
                continue
            gone = [m for m in members if m in hidden]
            hidden_sum = sum(value[m] for m in gone)
            if not gone or (len(gone) >= 2 and not 0 < hidden_sum < k):
                continue
            shown = sorted((m for m in members if m not in hidden), key=lambda m: (value[m] == 0, value[m]))
            hidden.add(shown[0] if shown else total)
            changed = True

    return Mask(
        cells=[[("c", i, j) in hidden for j in range(n_cols)] for i in range(n_rows)],
        row_totals=None if row_totals is None else [("r", i) in hidden for i in range(n_rows)],
        col_totals=None if col_totals is None else [("k", j) in hidden for j in range(n_cols)],
        grand_total=None if grand_total is None else ("g",) in hidden,
    )


def suppress_series(values: Sequence[int], k: int = 5, total: int | None = None) -> tuple[list[bool], bool]:
    """A single line of counts (a column) with its total: (mask of the values, whether the total is hidden)."""
    mask = suppress([[v] for v in values], k, col_totals=None if total is None else [total])
    return [row[0] for row in mask.cells], bool(mask.col_totals and mask.col_totals[0])
