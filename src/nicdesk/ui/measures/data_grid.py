"""The data grid: one row per period of a measure at one site.

Each finished cell edit is one operation (undoable).  Invalid cells are marked with the
reason and are not stored.  The last row is for a new period.  Paste (Ctrl+V) accepts
tab-separated rows from a spreadsheet: with dates in the first column they are matched to
periods (new periods are added), otherwise numbers fill the cells from the current one
down — either way as one operation.  A series this workspace may not write (another
site's, seen after a digest) is shown read-only: no row for a new period, no editing,
pasting or deleting.

A point a person knows to be blatantly different — IHI's fourth rule, the astronomical
data point, which no rule can decide — is marked in the "Astronomical" column or with
"Mark as astronomical point…" in the row's context menu, which asks why and keeps the
reason in the point's note; the chart then lists it among its signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QInputDialog,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
)

from ...core.csvdata import parse_csv, parse_date, parse_number
from ...core.measures import format_value
from ...core.states import ValueType
from ...store.views.series import MeasureSeries, ObservationRow, normalise_period
from ..common.widgets import lock_view

if TYPE_CHECKING:
    from ...store.operations import Transaction
    from ..shell.context import ShellContext

BAD = QColor("#FDE0DC")
CHECKED = ("excluded", "astronomical")  # the columns that are check boxes
ASTRONOMICAL_TIP = ("IHI's astronomical point: a value you know to be blatantly different "
                    "from the rest. Write why in the note; the chart lists it as a signal.")


class DataGrid(QTableWidget):
    problem = Signal(str)  # a message for the status line under the grid ("" clears it)

    def __init__(self, shell: ShellContext) -> None:
        super().__init__(0, 0)
        self.shell = shell
        self.setObjectName("dataGrid")
        self.setAccessibleName("Data")
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.series: MeasureSeries | None = None
        self.ids: list[str | None] = []
        self.columns: list[tuple[str, str]] = []
        self._loading = False
        self.pending = 0  # operations queued until the cell editor has committed
        self.locked: str | None = None  # why the series may not be changed here
        self.itemChanged.connect(self._changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)

    def set_locked(self, why: str | None) -> None:
        """Read-only (with the reason) or editable again; applied by the next `load`."""
        self.locked = why or None
        self.setToolTip(why or "")

    # ------------------------------------------------------------------ loading
    def load(self, series: MeasureSeries) -> None:
        self.series = series
        if self.state() == QAbstractItemView.State.EditingState:
            return  # never rebuild under an open editor; the next change reloads
        proportion = series.measure.value_type == ValueType.PROPORTION
        unit = " (%)" if series.percent else (f" ({series.measure.unit})" if series.measure.unit
                                              else "")
        self.columns = [("period", "Period")]
        if proportion:
            self.columns += [("numerator", "Numerator"), ("denominator", "Denominator"),
                             ("value", "Value" + unit)]
        else:
            self.columns += [("value", "Value" + unit)]
        self.columns += [("excluded", "Excluded"), ("exclusion_reason", "Reason for exclusion"),
                         ("astronomical", "Astronomical"), ("note", "Note")]
        self._loading = True
        self.clear()
        self.setColumnCount(len(self.columns))
        self.setHorizontalHeaderLabels([label for _k, label in self.columns])
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(self.columns) - 1, QHeaderView.ResizeMode.Stretch)
        obs = series.observations
        self.setRowCount(len(obs) + (0 if self.locked else 1))
        self.ids = [o.id for o in obs] + ([] if self.locked else [None])
        for row, o in enumerate(obs):
            for col, (key, _label) in enumerate(self.columns):
                self.setItem(row, col, self._cell(key, o))
        lock_view(self, bool(self.locked))
        if self.locked:
            self._loading = False
            return
        for col, (key, _label) in enumerate(self.columns):
            item = QTableWidgetItem("")
            if key == "period":
                item.setToolTip("Type a date to add a period, e.g. 2026-09-01")
            elif key == "value" and proportion:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if key in CHECKED:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(len(obs), col, item)
        self._loading = False

    def _cell(self, key: str, o: ObservationRow) -> QTableWidgetItem:
        value = getattr(o, key)
        item = QTableWidgetItem()
        if key == "period":
            item.setText(value.isoformat())
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            item.setToolTip("To move a value to another period, delete it and add it again")
        elif key in CHECKED:
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                          | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
            if key == "astronomical":
                item.setToolTip(ASTRONOMICAL_TIP)
        elif key == "value":
            item.setText(self._fmt_value(value))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if self.series and self.series.measure.value_type == ValueType.PROPORTION:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setToolTip("Computed from numerator and denominator")
        elif key in ("numerator", "denominator"):
            item.setText("" if value is None else f"{value:g}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        else:
            item.setText(value or "")
        return item

    def _fmt_value(self, value: float | None) -> str:
        # the column header carries the "%", so the cells show the digits only
        return format_value(value, bool(self.series and self.series.percent), sign="",
                            missing="")

    # ------------------------------------------------------------------ editing
    def _key(self, col: int) -> str:
        return self.columns[col][0]

    def _mark(self, item: QTableWidgetItem, message: str) -> None:
        self._loading = True
        item.setBackground(QBrush(BAD) if message else QBrush())
        item.setToolTip(message)
        self._loading = False
        self.problem.emit(message and f"Not saved: {message}.")

    def parse_value(self, key: str, text: str) -> str | float | None:
        """Typed text → stored value; raises ValueError with a plain message."""
        if key in ("note", "exclusion_reason"):
            return text.strip()
        return self._parse_number(key, text)

    def _parse_number(self, key: str, text: str) -> float | None:
        number, _percent = parse_number(text)
        if number is None:
            return None
        if key == "value" and self.series is not None and self.series.percent:
            number = number / 100  # the column is in %, with or without the sign
        if key == "denominator" and number <= 0:
            raise ValueError("a denominator must be above zero")
        if key in ("numerator", "denominator") and number < 0:
            raise ValueError("counts cannot be negative")
        return number

    def _changed(self, item: QTableWidgetItem) -> None:
        if self._loading or self.series is None or self.locked:
            return
        row, key = item.row(), self._key(item.column())
        record_id = self.ids[row] if row < len(self.ids) else None
        ws = self.shell.workspace
        if ws is None:
            return
        if record_id is None:
            if key != "period":
                self._mark(item, "enter the period (date) first")
                return
            try:
                day = normalise_period(parse_date(item.text()), self.series.measure.frequency)
            except ValueError as exc:
                self._mark(item, str(exc))
                return
            self._mark(item, "")
            self._later(ws.ops.create, "observation", measure_id=self.series.measure.id,
                        site_id=self.series.site_id, period=day,
                        label=f"Add period {day.isoformat()}")
            return
        if key in CHECKED:
            values: dict[str, Any] = {key: item.checkState() == Qt.CheckState.Checked}
        else:
            try:
                values = {key: self.parse_value(key, item.text())}
            except ValueError as exc:
                self._mark(item, str(exc))
                return
        if key in ("numerator", "denominator"):
            current = self._row_numbers(row)
            current[key] = values[key]
            num, den = current["numerator"], current["denominator"]
            if num is not None and den:
                if num > den:
                    self._mark(item, f"{num:g} out of {den:g} is not a possible count")
                    return
                values["value"] = round(num / den, 6)
        self._mark(item, "")
        self._later(ws.ops.update, "observation", record_id, **values)

    # ------------------------------------------------------------------ astronomical mark
    def _context_menu(self, pos: Any) -> None:
        row = self.rowAt(pos.y())
        record_id = self.ids[row] if 0 <= row < len(self.ids) else None
        if record_id is None or self.locked or self.series is None:
            return
        marked = self.series.observations[row].astronomical
        menu = QMenu(self)
        if marked:
            menu.addAction("Remove astronomical mark",
                           lambda: self.mark_astronomical(row, None))
        else:
            menu.addAction("Mark as astronomical point…", lambda: self._ask_astronomical(row))
        menu.exec(self.viewport().mapToGlobal(pos))

    def _ask_astronomical(self, row: int) -> None:
        assert self.series is not None, "the menu is offered only with a series loaded"
        current = self.series.observations[row]
        reason, ok = QInputDialog.getText(
            self, "Mark as astronomical point",
            f"Why is {current.period:%d %b %Y} blatantly different from the other points?\n"
            "(kept as the point's note; the chart lists it as a signal)",
            text=current.note)
        if ok:
            self.mark_astronomical(row, reason)

    def mark_astronomical(self, row: int, reason: str | None) -> bool:
        """Mark the row's point as astronomical with `reason` as its note (one undoable
        operation), or remove the mark (`reason` None; the note stays).  False when
        nothing could be written."""
        record_id = self.ids[row] if 0 <= row < len(self.ids) else None
        ws = self.shell.workspace
        if record_id is None or ws is None or self.locked or self.series is None:
            return False
        day = self.series.observations[row].period
        if reason is None:
            return bool(self.shell.runner.run(
                ws.ops.update, "observation", record_id, astronomical=False,
                label=f"Remove astronomical mark {day.isoformat()}"))
        return bool(self.shell.runner.run(
            ws.ops.update, "observation", record_id, astronomical=True, note=reason.strip(),
            label=f"Mark astronomical point {day.isoformat()}"))

    def _later(self, fn: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Run the operation once the cell editor has finished committing: the redraw it
        causes rebuilds the rows, which must not happen under the editor's feet."""
        self.pending += 1

        def run() -> None:
            try:
                self.shell.runner.run(fn, *args, **kwargs)
            finally:
                self.pending -= 1

        QTimer.singleShot(0, run)

    def _row_numbers(self, row: int) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for key in ("numerator", "denominator"):
            col = next(i for i, (k, _l) in enumerate(self.columns) if k == key)
            cell = self.item(row, col)
            try:
                out[key] = self._parse_number(key, cell.text() if cell is not None else "")
            except ValueError:
                out[key] = None
        return out

    # ------------------------------------------------------------------ keys and paste
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.matches(QKeySequence.StandardKey.Paste):
            if self.locked:
                self.problem.emit(f"Nothing pasted: {self.locked}")
                return
            self.paste(QApplication.clipboard().text())
            return
        if event.key() == Qt.Key.Key_Delete and self.state() != QAbstractItemView.State.EditingState:
            if not self.locked:
                self.delete_selected_rows()
            return
        super().keyPressEvent(event)

    def delete_selected_rows(self) -> None:
        ids = sorted({rid for rid in (self.ids[i.row()] for i in self.selectedIndexes()
                                      if i.row() < len(self.ids)) if rid})
        ws = self.shell.workspace
        if not ids or self.locked or ws is None:
            return

        def delete_all(t: Transaction) -> None:
            for rid in ids:
                t.delete("observation", rid)

        self.shell.runner.run(ws.ops.run, f"Delete {len(ids)} value(s)", delete_all)

    def paste(self, text: str) -> None:
        if self.series is None or not text.strip() or self.locked:
            return
        lines = [line.split("\t") for line in text.strip("\n").split("\n")]
        try:
            parse_date(lines[0][0])
            dated = True
        except ValueError:
            dated = False
        if dated:
            self._paste_dated(self.series, text)
        else:
            self._paste_cells(lines)

    def _paste_dated(self, series: MeasureSeries, text: str) -> None:
        proportion = series.measure.value_type == ValueType.PROPORTION
        header = "date\tnumerator\tdenominator" if proportion and "\t" in text.split("\n")[0] \
            and len(text.split("\n")[0].split("\t")) >= 3 else "date\tvalue"
        parsed = parse_csv(header + "\n" + text, proportion=proportion, today=dt.date.today())
        if parsed.bad or parsed.file_problems:
            first = (parsed.file_problems or [f"line {r.line - 1}: {'; '.join(r.problems)}"
                                              for r in parsed.bad])[0]
            self.problem.emit(f"Nothing pasted: {first}.")
            return
        existing = {o.period: o.id for o in series.observations}
        ws = self.shell.workspace
        if ws is None:
            return

        def apply(t: Transaction) -> None:
            for row in parsed.rows:
                assert row.period is not None, "a row read without problems has its date"
                period = normalise_period(row.period, series.measure.frequency)
                values: dict[str, Any] = {"value": row.value, "numerator": row.numerator,
                                          "denominator": row.denominator}
                if period in existing:
                    t.update("observation", existing[period], **values)
                else:
                    t.create("observation", measure_id=series.measure.id,
                             site_id=series.site_id, period=period, **values)

        if self.shell.runner.run(ws.ops.run, f"Paste {len(parsed.rows)} rows", apply):
            self.problem.emit("")

    def _paste_cells(self, lines: list[list[str]]) -> None:
        start_row, start_col = max(self.currentRow(), 0), max(self.currentColumn(), 0)
        changes: list[tuple[str, dict[str, Any]]] = []
        for r, cells in enumerate(lines):
            row = start_row + r
            rid = self.ids[row] if row < len(self.ids) else None
            if rid is None:
                self.problem.emit("Nothing pasted: paste dates in the first column to add new "
                                  "periods.")
                return
            values: dict[str, Any] = {}
            for c, text in enumerate(cells):
                col = start_col + c
                if col >= len(self.columns):
                    break
                key = self._key(col)
                if key == "period" or key in CHECKED:
                    continue
                try:
                    values[key] = self.parse_value(key, text)
                except ValueError as exc:
                    self.problem.emit(f"Nothing pasted: row {r + 1}: {exc}.")
                    return
            if "numerator" in values or "denominator" in values:
                nums = self._row_numbers(row)
                nums.update({k: v for k, v in values.items() if k in nums})
                if nums["numerator"] is not None and nums["denominator"]:
                    values["value"] = round(nums["numerator"] / nums["denominator"], 6)
            changes.append((rid, values))
        ws = self.shell.workspace
        if ws is None:
            return

        def apply(t: Transaction) -> None:
            for rid, values in changes:
                t.update("observation", rid, **values)

        if self.shell.runner.run(ws.ops.run, f"Paste into {len(changes)} rows", apply):
            self.problem.emit("")
