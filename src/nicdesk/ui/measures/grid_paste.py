"""Pasting a block from a spreadsheet into the data grid: a header row recognised by its
words, dated rows stored as periods (week-ending dates aligned, and said so), undated
cells filled under the current cell.  Kept apart from the grid's typing and editing
(`ui.measures.data_grid`) so each reads on its own; `DataGrid.paste` calls `paste`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

from ...core.csvdata import PastedBlock, alignment_note, parse_paste, split_paste
from ...core.states import ValueType
from ...store.views.series import MeasureSeries, normalise_period

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from ...store.operations import Transaction
    from ..shell.context import ShellContext

CHECKED = ("excluded", "astronomical")  # the columns that are check boxes (never pasted)


class PasteGrid(Protocol):
    """What pasting needs of the data grid (structural: the grid module imports this one)."""

    series: MeasureSeries | None
    ids: list[str | None]
    columns: list[tuple[str, str]]
    locked: str | None
    shell: ShellContext
    _noted: bool
    group_id: str | None  # the student group the rows are for (None: all students)

    @property
    def problem(self) -> SignalInstance: ...
    def _col(self, key: str) -> int | None: ...
    def _key(self, col: int) -> str: ...
    def _row_numbers(self, row: int) -> dict[str, float | None]: ...
    def parse_value(self, key: str, text: str) -> str | float | None: ...
    def currentRow(self) -> int: ...
    def currentColumn(self) -> int: ...


def _labels(grid: PasteGrid) -> dict[str, list[str]]:
    """The measure's own words a pasted header may use for the grid's columns."""
    assert grid.series is not None, "only called with a series loaded"
    own: dict[str, list[str]] = {key: [label] for key, label in grid.columns}
    own["value"] += [grid.series.measure.name, grid.series.measure.unit,
                     grid.columns[grid._col("value") or 0][1].split(" (")[0]]
    return own

def paste(grid: PasteGrid, text: str) -> None:
    """A block pasted from a spreadsheet: dated rows become periods (one undo step),
    undated cells fill the rows under the current cell."""
    if grid.series is None or not text.strip() or grid.locked:
        return
    block = split_paste(text, _labels(grid))
    if not block.rows:
        grid.problem.emit("Nothing pasted: the block has a header row but no data.")
        return
    if block.dated:
        _paste_dated(grid, grid.series, block)
    else:
        _paste_cells(grid, block)

def _paste_dated(grid: PasteGrid, series: MeasureSeries, block: PastedBlock) -> None:
    proportion = series.measure.value_type == ValueType.PROPORTION
    parsed = parse_paste(block, proportion=proportion, today=dt.date.today())
    skip = 1 if block.header is not None else 0  # rows counted as the person selected
    if parsed.bad or parsed.file_problems:
        first = (parsed.file_problems or [f"row {r.line + skip}: {'; '.join(r.problems)}"
                                          for r in parsed.bad])[0]
        grid.problem.emit(f"Nothing pasted: {first.rstrip('.')}.")
        return
    if any(r.group for r in parsed.rows):  # the grid holds one group at a time (issue #21)
        grid.problem.emit("Nothing pasted: the rows have a Group column, and the grid "
                          "enters one group's values at a time (Values for). Paste one "
                          "group's rows without that column, or use Import data… for the "
                          "whole file.")
        return
    frequency = series.measure.frequency
    moves: list[tuple[dt.date, dt.date]] = []
    rows: dict[dt.date, tuple[int, dict[str, Any]]] = {}
    for row in parsed.rows:
        assert row.period is not None, "a row read without problems has its date"
        period = normalise_period(row.period, frequency)
        if period != row.period:
            moves.append((row.period, period))
        if period in rows:
            grid.problem.emit(
                f"Nothing pasted: rows {rows[period][0] + skip} and {row.line + skip} are "
                f"the same {_UNIT.get(frequency, 'period')} (starting "
                f"{period.isoformat()}).")
            return
        values: dict[str, Any] = {"value": row.value, "numerator": row.numerator,
                                  "denominator": row.denominator}
        if row.note:
            values["note"] = row.note
        rows[period] = (row.line, values)
    existing = {o.period: o.id for o in series.observations}
    ws = grid.shell.workspace
    if ws is None:
        return

    def apply(t: Transaction) -> None:
        for period, (_line, values) in rows.items():
            if period in existing:
                t.update("observation", existing[period], **values)
            else:
                t.create("observation", measure_id=series.measure.id,
                         site_id=series.site_id, period=period, group_id=grid.group_id,
                         **values)

    if grid.shell.runner.run(ws.ops.run, f"Paste {len(rows)} rows", apply):
        notes = [alignment_note(moves, frequency)]
        if block.header is not None and not block.header_words:
            notes.append("The first row was read as a header; its columns as "
                         + ", ".join(c for c in parsed.columns) + ".")
        said = " ".join(n for n in notes if n)
        grid._noted = bool(said)
        grid.problem.emit(said)

def _paste_cells(grid: PasteGrid, block: PastedBlock) -> None:
    start_row, start_col = max(grid.currentRow(), 0), max(grid.currentColumn(), 0)
    skip = 1 if block.header is not None else 0
    if block.header is not None and block.header_words:
        targets = [grid._col(c) if c else None for c in block.header]
    else:
        width = max(len(r) for r in block.rows)
        targets = [start_col + c if start_col + c < len(grid.columns) else None
                   for c in range(width)]
    changes: list[tuple[str, dict[str, Any]]] = []
    for r, cells in enumerate(block.rows):
        row = start_row + r
        rid = grid.ids[row] if row < len(grid.ids) else None
        if rid is None:
            grid.problem.emit("Nothing pasted: paste dates in the first column to add new "
                              "periods.")
            return
        values: dict[str, Any] = {}
        for c, text in enumerate(cells):
            col = targets[c] if c < len(targets) else None
            if col is None:
                continue
            key = grid._key(col)
            if key == "period" or key in CHECKED:
                continue
            try:
                values[key] = grid.parse_value(key, text)
            except ValueError as exc:
                grid.problem.emit(f"Nothing pasted: row {r + 1 + skip}: {exc}.")
                return
        if "numerator" in values or "denominator" in values:
            nums = grid._row_numbers(row)
            nums.update({k: v for k, v in values.items() if k in nums})
            if nums["numerator"] is not None and nums["denominator"]:
                values["value"] = round(nums["numerator"] / nums["denominator"], 6)
        changes.append((rid, values))
    ws = grid.shell.workspace
    if ws is None:
        return

    def apply(t: Transaction) -> None:
        for rid, values in changes:
            t.update("observation", rid, **values)

    if grid.shell.runner.run(ws.ops.run, f"Paste into {len(changes)} rows", apply):
        grid.problem.emit("")


_UNIT = {"weekly": "week", "monthly": "month", "quarterly": "quarter"}
