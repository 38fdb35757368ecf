"""The data grid: one row per period of a measure at one site.

Each finished cell edit is one operation (undoable).  Invalid cells are marked with the
reason and are not stored (they stay marked, with their text, until corrected).  The last
row is for a new period: a whole row may be typed with Tab and Enter in any order — values
typed before the date wait on the row and are stored with it when the date arrives, the
cells typed after it land on the new period, and Enter goes on to the next new row.  Paste
(Ctrl+V) accepts tab-separated rows from a spreadsheet, with or without a header row
(recognised by its words, `core.csvdata.split_paste`): with dates they are matched to
periods (new periods are added), otherwise numbers fill the cells from the current one
down — either way as one operation.  A date that is not the first day of its period (a
week-ending Friday) is stored on the period's first day, and the line under the grid says
so.  A series this workspace may not write (another
site's, seen after a digest) is shown read-only: no row for a new period, no editing,
pasting or deleting.

A point a person knows to be blatantly different — IHI's fourth rule, the astronomical
data point, which no rule can decide — is marked in the "Astronomical" column or with
"Mark as astronomical point…" in the row's context menu, which asks why and keeps the
reason in the point's note; the chart then lists it among its signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QInputDialog,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
)

from ...core.csvdata import (
    alignment_note,
    parse_date,
    parse_number,
)
from ...core.formatting import format_value
from ...core.states import ValueType
from ...store.views.series import MeasureSeries, ObservationRow, normalise_period
from ..common.widgets import lock_view
from .grid_paste import CHECKED, paste

if TYPE_CHECKING:
    from ...store.operations import Transaction
    from ..shell.context import ShellContext

BAD = QColor("#FDE0DC")
BAD_TEXT = QColor("#1A1A1A")  # dark on the pink, whatever the palette
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
        #: the student group whose values the grid shows and adds (None: all students);
        #: set by the page's "Values for" choice (`grid_group.GridGroupChoice`)
        self.group_id: str | None = None
        self._creating: int | None = None  # the new row whose period is being added
        self._stale = False  # a load waited for the cell editor to close
        self._entry_row: int | None = None  # the new row being typed (Enter: go on)
        self._noted = False  # the line under the grid tells how a date was stored
        #: typed text not stored (a problem), kept across reloads: row id (None: the new
        #: row) -> column key -> (text, why)
        self._unsaved: dict[str | None, dict[str, tuple[str, str]]] = {}
        self.itemChanged.connect(self._changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)

    def set_locked(self, why: str | None) -> None:
        """Read-only (with the reason) or editable again; applied by the next `load`."""
        self.locked = why or None
        self.setToolTip(why or "")

    # ------------------------------------------------------------------ loading
    def load(self, series: MeasureSeries) -> None:
        if self.series is not None and (self.series.measure.id, self.series.site_id) != (
                series.measure.id, series.site_id):
            self._unsaved.clear()
        self.series = series
        if self.state() == QAbstractItemView.State.EditingState:
            self._stale = True  # never rebuild under an open editor: done when it closes
            return
        self._stale = False
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
        if not self.locked:
            self._add_new_row(len(obs))
        self._show_unsaved()
        self._loading = False

    def _add_new_row(self, row: int) -> None:
        """The empty row for a new period, at `row` (the last)."""
        proportion = self.series is not None and \
            self.series.measure.value_type == ValueType.PROPORTION
        if self.rowCount() <= row:
            self.setRowCount(row + 1)
        while len(self.ids) <= row:
            self.ids.append(None)
        for col, (key, _label) in enumerate(self.columns):
            item = QTableWidgetItem("")
            if key == "period":
                item.setToolTip("Type a date to add a period, e.g. 2026-09-01")
            elif key == "value" and proportion:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if key in CHECKED:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(row, col, item)

    def _show_unsaved(self) -> None:
        """Typed text that was not stored stays in its cell, marked with the reason."""
        for row, rid in enumerate(self.ids):
            for key, (text, why) in self._unsaved.get(rid, {}).items():
                col = self._col(key)
                item = self.item(row, col) if col is not None else None
                if item is not None:
                    item.setText(text)
                    item.setBackground(QBrush(BAD))
                    item.setForeground(QBrush(BAD_TEXT))
                    item.setToolTip(why)

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

    def _col(self, key: str) -> int | None:
        return next((i for i, (k, _l) in enumerate(self.columns) if k == key), None)

    def _text(self, row: int, key: str) -> str:
        col = self._col(key)
        item = self.item(row, col) if col is not None else None
        return item.text() if item is not None else ""

    def _mark(self, item: QTableWidgetItem, message: str, *, say: bool = True) -> None:
        self._loading = True
        item.setBackground(QBrush(BAD) if message else QBrush())
        item.setForeground(QBrush(BAD_TEXT) if message else QBrush())
        item.setToolTip(message)
        self._loading = False
        rid = self.ids[item.row()] if item.row() < len(self.ids) else None
        key = self._key(item.column())
        if message:
            self._unsaved.setdefault(rid, {})[key] = (item.text(), message)
        elif key in self._unsaved.get(rid, {}):
            del self._unsaved[rid][key]
        if say and (message or not self._noted):
            self.problem.emit(message and f"Not saved: {message}.")
        self._noted = self._noted and not message

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
            self._new_row_cell(row, key, item)
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

    # ------------------------------------------------------------------ the new row
    def _new_row_cell(self, row: int, key: str, item: QTableWidgetItem) -> None:
        """A cell of the row for a new period was typed: the date adds the period with
        every value already typed on the row; a value typed before the date waits on the
        row (and is said to wait); one typed while the period is being added joins it."""
        assert self.series is not None, "only called with a series loaded"
        self._entry_row = row
        if key in CHECKED:
            return
        if key == "period" and not item.text().strip():
            self._mark(item, "")
            return
        try:
            if key == "period":
                day = parse_date(item.text())
                start = normalise_period(day, self.series.measure.frequency)
                taken = {o.period for o in self.series.observations}
                if start in taken:
                    raise ValueError(f"there is already a row for {start.isoformat()}; "
                                     "type the values in that row")
            elif item.text().strip():
                self.parse_value(key, item.text())
        except ValueError as exc:
            self._mark(item, str(exc))
            return
        self._mark(item, "", say=False)
        if self._creating == row:
            return  # the period is being added: it takes this cell's value along
        if key != "period":
            why = self._unsaved.get(None, {}).get("period", ("", ""))[1]
            self.problem.emit(
                f"Not saved yet: {why}; the row is stored once its date is right." if why
                else "Kept on the new row: it is stored when you type the period's date.")
            return
        self._noted = False
        self.problem.emit("")
        self._creating = row
        self.pending += 1
        QTimer.singleShot(0, lambda: self._create_row(row))

    def _create_row(self, row: int) -> None:
        """Add the new row's period with the values typed on it (one operation)."""
        try:
            ws = self.shell.workspace
            series = self.series
            if ws is None or series is None or row >= len(self.ids) or self.ids[row]:
                return
            values = self._new_row_values(row)
            if values is None:
                return
            typed = parse_date(self._text(row, "period"))
            period = normalise_period(typed, series.measure.frequency)
            unsaved = self._unsaved.pop(None, {})  # not for the next new row
            result = self.shell.runner.run(
                ws.ops.create, "observation", measure_id=series.measure.id,
                site_id=series.site_id, period=period, label=f"Add period {period.isoformat()}",
                group_id=self.group_id, **values)
            if result is None:
                self._unsaved[None] = unsaved
                return
            self._unsaved[result.id] = unsaved
            self._loading = True
            if row < len(self.ids) and self.ids[row] is None:
                # not rebuilt (an editor is open on the row): the cells typed next update
                # the new period, and a fresh row waits below for the next one
                self.ids[row] = result.id
                self._add_new_row(self.rowCount())
            self._show_unsaved()
            self._loading = False
            if period != typed:
                self._noted = True
                self.problem.emit(alignment_note([(typed, period)], series.measure.frequency))
        except ValueError:
            return  # the date was changed to something unreadable: marked already
        finally:
            self._creating = None
            self.pending -= 1

    def _new_row_values(self, row: int) -> dict[str, Any] | None:
        """The values typed on the new row that can be stored (the others stay marked)."""
        assert self.series is not None, "only called with a series loaded"
        proportion = self.series.measure.value_type == ValueType.PROPORTION
        values: dict[str, Any] = {}
        for col, (key, _label) in enumerate(self.columns):
            item = self.item(row, col)
            if key == "period" or key in CHECKED or item is None or not item.text().strip():
                continue
            if key == "value" and proportion:
                continue
            try:
                values[key] = self.parse_value(key, item.text())
            except ValueError as exc:
                self._mark(item, str(exc))
        num, den = values.get("numerator"), values.get("denominator")
        if num is not None and den:
            if num > den:
                num_col = self._col("numerator")
                item = self.item(row, num_col) if num_col is not None else None
                if item is not None:
                    self._mark(item, f"{num:g} out of {den:g} is not a possible count")
                del values["numerator"]
            else:
                values["value"] = round(num / den, 6)
        return values

    def closeEditor(self, editor: Any, hint: Any) -> None:  # noqa: N802 - Qt override
        """After the last editor of a row closes: the skipped reload, and Enter on a new
        row goes on to the next new row's date."""
        enter = hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache
        to_new = enter and self._entry_row is not None and self.currentRow() == self._entry_row
        super().closeEditor(editor, hint)
        if enter:
            self._entry_row = None
        if self.state() != QAbstractItemView.State.EditingState:
            QTimer.singleShot(0, lambda: self._after_editing(to_new))

    def _after_editing(self, to_new_row: bool) -> None:
        if self.state() == QAbstractItemView.State.EditingState:
            return
        if self._stale and self.series is not None:
            self.load(self.series)
        if to_new_row and not self.locked and self.rowCount():
            self.setCurrentCell(self.rowCount() - 1, 0)

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
            try:
                out[key] = self._parse_number(key, self._text(row, key))
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
        """A block pasted from a spreadsheet (`grid_paste`)."""
        paste(self, text)
