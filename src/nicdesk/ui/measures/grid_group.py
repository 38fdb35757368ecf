"""The data grid's "Values for" choice (issue #21): which students' values the grid shows
and adds — all students (the default) or one of the network's student groups.

A principal types a group's values the way they type the school's: the grid simply
switches to that group's series, so each row is still one period and a new row, a paste
or a delete acts on the chosen group only.  Hidden while the network has no groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from ...core.groups import ALL_STUDENTS_LABEL
from ...store.views.groups import read_measure_groups
from ...store.views.series import load_series
from ..common.widgets import quiet

if TYPE_CHECKING:
    from ...store.views.series import MeasureSeries
    from ...store.workspace import Workspace
    from .data_grid import DataGrid


class GridGroupChoice(QWidget):
    """"Values for: [All students ▾]" above the grid."""

    def __init__(self, grid: DataGrid) -> None:
        super().__init__()
        self.grid = grid
        self.base: MeasureSeries | None = None
        self._ws: Workspace | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Values for:"))
        self.box = QComboBox()
        self.box.setObjectName("gridGroup")
        self.box.setAccessibleName("Student group of the values")
        self.box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.box.activated.connect(lambda _i: self.show_chosen())
        layout.addWidget(self.box)
        self.note = quiet(QLabel())
        layout.addWidget(self.note, 1)

    @property
    def group_id(self) -> str | None:
        data = self.box.currentData()
        return data if isinstance(data, str) else None

    def load(self, ws: Workspace, series: MeasureSeries) -> None:
        """The page's reload: the groups of the measure's network, the choice kept when
        the group is still there, and the grid filled with the chosen group's values."""
        self._ws, self.base = ws, series
        chosen = self.group_id
        groups = read_measure_groups(ws, series.measure.id)
        self.box.blockSignals(True)
        self.box.clear()
        self.box.addItem(ALL_STUDENTS_LABEL, None)
        for g in groups:
            self.box.addItem(g.label, g.id)
        index = self.box.findData(chosen) if chosen else 0
        self.box.setCurrentIndex(max(index, 0))
        self.box.blockSignals(False)
        self.setVisible(bool(groups))
        self.show_chosen(reset=False)

    def show_chosen(self, *, reset: bool = True) -> None:
        """Fill the grid with the chosen group's series (typed text not stored is dropped
        when the group changes: it was meant for the other group's rows)."""
        if self._ws is None or self.base is None:
            return
        group_id = self.group_id
        if reset and group_id != self.grid.group_id:
            self.grid._unsaved.clear()  # noqa: SLF001 - the grid's own typed-text memory
        self.grid.group_id = group_id
        if group_id is None:
            series = self.base
            self.note.setText("")
        else:
            with self._ws.read() as s:
                series = load_series(s, self.base.measure.id, self.base.site_id,
                                     group_id=group_id)
            self.note.setText(f"Each row is {self.box.currentText()} only: that group's "
                              "count out of that group's students.")
        self.grid.load(series)
