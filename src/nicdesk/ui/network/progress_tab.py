"""The Network view's "Progress scores" tab: IHI progress scores as small multiples —
one light step chart per site (`progress_minis.StepMini`) on the same dates and the full
0.5–5.0 scale — above the chosen site's full-size pyqtgraph step chart
(stepMode="center", with the date axis `common.chart_view` uses) beside its scores,
which can be edited or deleted; and the dialog that records a score, showing the
scale's definitions while choosing.

Scores are written through the shell's runner (`ws.ops.create("progress_score", …)`),
so validation, authority (a site's score is its own record) and undo hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.progress import HIGHEST, LEVELS, LOWEST, SCALE, SOURCE
from ...core.safe_text import html_text, isolate, shorten
from ...store.views.progress import ProgressBoard, ScoreEntry, SiteProgress, read_progress
from ..common.chart_view import BLUE, stamp
from ..common.widgets import problem_label, quiet
from .progress_minis import MINI_W, StepMini

if TYPE_CHECKING:
    from ..shell.context import ShellContext

INK = "#222222"


class StepPlot(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph has no types
    """A step chart that says which row it shows when clicked."""

    clicked = Signal(object)  # the row's site id (None: the network's own)

    def __init__(self, site_id: str | None) -> None:
        super().__init__(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.site_id = site_id

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.site_id)
        super().mousePressEvent(event)


def step_plot(row: SiteProgress, first: dt.date, last: dt.date,
              size: tuple[int, int] | None = None) -> StepPlot:
    """One site's scores as a pyqtgraph step chart on the full scale, free to grow (or
    of a fixed `size`); each recorded score is marked when it grows."""
    plot = StepPlot(row.site_id)
    plot.setObjectName("progressChart")
    plot.setAccessibleName(f"Progress scores of {row.name}")
    plot.setBackground("w")
    plot.setTitle(isolate(shorten(row.name, 40)), color=INK, size="9pt")
    if size is not None:
        plot.setFixedSize(*size)
        plot.setCursor(Qt.CursorShape.PointingHandCursor)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.showGrid(x=False, y=True, alpha=0.2)
    plot.setYRange(LOWEST - 0.25, HIGHEST + 0.25, padding=0)
    plot.getAxis("left").setTicks([[(v, f"{v:.0f}") for v in (1, 2, 3, 4, 5)]])
    plot.setXRange(stamp(first), stamp(last), padding=0.02)
    if size is None:  # the full-size chart says what its axes hold
        plot.setLabel("left", "IHI progress score (0.5–5.0)", color=INK)
        plot.setLabel("bottom", "date recorded (each score holds until the next)",
                      color=INK)
    edges, values = row.steps(last)
    if values:
        pen = pg.mkPen(INK if row.site_id else BLUE, width=2,
                       style=Qt.PenStyle.SolidLine if row.site_id else Qt.PenStyle.DashLine)
        plot.addItem(pg.PlotDataItem([stamp(d) for d in edges], values, stepMode="center",
                                     pen=pen))
        if size is None:  # the full-size chart marks each recorded score
            plot.addItem(pg.ScatterPlotItem([stamp(e.date) for e in row.entries],
                                            [float(e.score) for e in row.entries],
                                            size=7, brush=pg.mkBrush(INK), pen=None))
        now = row.latest
        assert now is not None
        plot.setToolTip(f"{isolate(shorten(row.name))}: {LEVELS[now.score].title} since "
                        f"{now.date}" + (f"\n{now.note}" if now.note else ""))
    else:
        note = pg.TextItem("No score yet", color="#555555", anchor=(0.5, 0.5))
        note.setPos(stamp(first + (last - first) / 2), 2.75)
        plot.addItem(note)
    return plot


class ProgressPanel(QWidget):
    """Small multiples of every site's progress scores, with "Record a score…"."""

    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.network_id: str | None = None
        self.board: ProgressBoard | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        bar = QHBoxLayout()
        self.note = QLabel()
        self.note.setWordWrap(True)  # a small window shows the whole sentence
        quiet(self.note)
        bar.addWidget(self.note, 1)
        self.record = QPushButton("Record a score…")
        self.record.setObjectName("recordScore")
        self.record.clicked.connect(lambda: self.record_score())
        bar.addWidget(self.record)
        layout.addLayout(bar)
        self.charts_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self.inner = QWidget()
        self.grid = QGridLayout(self.inner)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll.setWidget(self.inner)
        self.problem = problem_label(QLabel())
        self.problem.setObjectName("progressProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(scroll)
        split.addWidget(self._detail())
        split.setSizes([420, 320])
        layout.addWidget(split, 1)
        self.plots: list[StepMini] = []
        self._columns = 0  # charts per grid row, as last laid out
        scroll.viewport().installEventFilter(self)  # reflow the charts to its width
        today = dt.date.today()
        self._span = (today - dt.timedelta(days=365), today)
        self.site_id: str | None = None  # the row shown full size (None: the network's)

    def _detail(self) -> QWidget:
        """One row full size beside its scores, which can be edited or deleted."""
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.detail_holder = QVBoxLayout()
        row.addLayout(self.detail_holder, 3)
        side = QVBoxLayout()
        self.entries = QTableWidget(0, 3)
        self.entries.setObjectName("scoreEntries")
        self.entries.setHorizontalHeaderLabels(["Date", "Score", "Note"])
        self.entries.verticalHeader().hide()
        self.entries.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.entries.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.entries.horizontalHeader().setStretchLastSection(True)
        self.entries.itemActivated.connect(lambda _i: self.edit_score())
        side.addWidget(self.entries, 1)
        buttons = QHBoxLayout()
        for name, text, slot in (("editScore", "Edit…", self.edit_score),
                                 ("deleteScore", "Delete", self.delete_score)):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(lambda _c=False, f=slot: f())
            buttons.addWidget(b)
        buttons.addStretch(1)
        side.addLayout(buttons)
        row.addLayout(side, 2)
        self.detail: StepPlot | None = None
        return box

    def show_network(self, network_id: str) -> None:
        ws = self.shell.workspace
        if ws is None:
            return
        self.network_id = network_id
        self.board = board = read_progress(ws, network_id)
        for plot in self.plots:
            self.grid.removeWidget(plot)
            plot.hide()
            plot.deleteLater()
        self.plots = []
        today = dt.date.today()
        first = board.first or today - dt.timedelta(days=365)
        last = max(board.last or today, today)
        self._span = (first, last)
        for row in board.rows:
            plot = StepMini(row, first, last)
            plot.clicked.connect(self.show_row)
            self.plots.append(plot)
        self._columns = 0
        self._reflow()
        self.note.setText(f"IHI progress scores (0.5–5.0): {board.scored} of "
                          f"{len(board.rows)} (the network and its sites) have a score. "
                          "The network's own score is dashed; click a chart to see its "
                          "scores.")
        if self.site_id not in {r.site_id for r in board.rows}:
            self.site_id = None
        self.show_row(self.site_id)

    def columns(self) -> int:
        """As many charts side by side as the visible width holds (at least one), so a
        small window scrolls down only, never sideways to reach a chart."""
        margins, gap = self.grid.contentsMargins(), max(0, self.grid.horizontalSpacing())
        room = self.charts_area.viewport().width() - margins.left() - margins.right()
        return max(1, int((room + gap) // (MINI_W + gap)))

    def _reflow(self) -> None:
        columns = self.columns()
        if columns == self._columns:
            return
        self._columns = columns
        for plot in self.plots:
            self.grid.removeWidget(plot)
        for i, plot in enumerate(self.plots):
            self.grid.addWidget(plot, i // columns, i % columns)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        """The charts' area changed width (the window, the splitter, a scroll bar)."""
        if watched is self.charts_area.viewport() and event.type() == QEvent.Type.Resize:
            self._reflow()
        return super().eventFilter(watched, event)

    def row(self, site_id: str | None) -> SiteProgress | None:
        return next((r for r in self.board.rows if r.site_id == site_id), None) if (
            self.board) else None

    def show_row(self, site_id: str | None) -> None:
        """Show one row's chart full size and its scores in the list."""
        row = self.row(site_id)
        if row is None:
            return
        self.site_id = site_id
        for mini in self.plots:
            mini.set_chosen(mini.site_id == site_id)
        if self.detail is not None:  # hidden now, not just when Qt deletes it later
            self.detail_holder.removeWidget(self.detail)
            self.detail.hide()
            self.detail.deleteLater()
        self.detail = step_plot(row, *self._span, size=None)
        self.detail.setObjectName("progressDetail")
        self.detail_holder.addWidget(self.detail)
        self.entries.setRowCount(len(row.entries))
        for i, e in enumerate(reversed(row.entries)):  # newest first
            for j, text in enumerate((str(e.date), f"{e.score} {e.level_name}", e.note)):
                item = QTableWidgetItem(shorten(text, 200))
                item.setToolTip(html_text(shorten(text, 2000)))
                self.entries.setItem(i, j, item)
        self.entries.resizeColumnsToContents()

    def _entry(self) -> ScoreEntry | None:
        row = self.row(self.site_id)
        i = self.entries.currentRow()
        if row is None or not 0 <= i < len(row.entries):
            return None
        return list(reversed(row.entries))[i]

    def _write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.problem.hide()
        if self.shell.runner.run(fn, *args, **kwargs) is not None and self.network_id:
            self.show_network(self.network_id)

    def show_problem(self, message: str) -> None:
        """A refused change (another site's score, say), said above the charts."""
        self.problem.setText(message)
        self.problem.show()

    def edit_score(self) -> None:
        ws, entry = self.shell.workspace, self._entry()
        if ws is None or entry is None or self.board is None or self._blocked(entry):
            return
        dialog = ScoreDialog(self, [(r.site_id, r.name) for r in self.board.rows], entry)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            _site, score, day, note = dialog.values()
            self._write(ws.ops.update, "progress_score", entry.id, score=score, date=day,
                        note=note, label="Edit a progress score")

    def delete_score(self) -> None:
        ws, entry = self.shell.workspace, self._entry()
        if ws is None or entry is None or self._blocked(entry):
            return
        self._write(ws.ops.delete, "progress_score", entry.id,
                    label="Delete a progress score")

    def writable_rows(self) -> list[tuple[str | None, str]]:
        """(site id, name) of the rows this workspace may record a score for (one owner
        writes: a site its own, the coordinator the network's and, in a standalone
        file, every row)."""
        ws = self.shell.workspace
        if ws is None or self.board is None:
            return []
        board = self.board
        return [(r.site_id, r.name) for r in board.rows
                if ws.ops.write_block("progress_score", board.owner_of(r), creating=True)
                is None]

    def _blocked(self, entry: ScoreEntry) -> bool:
        """Say why a score cannot be changed here, if it cannot."""
        ws = self.shell.workspace
        why = ws.ops.write_block("progress_score", entry.owner_site_id) if ws else None
        if why:
            self.show_problem(why)
        return bool(why)

    def record_score(self) -> None:
        """Ask for a score and write it; the tab redraws from the stored scores."""
        ws = self.shell.workspace
        if ws is None or self.board is None or self.network_id is None:
            return
        rows = self.writable_rows()
        if not rows:
            self.show_problem("This workspace may not record progress scores of this "
                              "network: each site records its own, the coordinator the "
                              "network's.")
            return
        dialog = ScoreDialog(self, rows, site_id=self.site_id)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        site_id, score, day, note = dialog.values()
        self.site_id = site_id
        self._write(ws.ops.create, "progress_score", network_id=self.network_id,
                    site_id=site_id, score=score, date=day, note=note,
                    label="Record a progress score")


class ScoreDialog(QDialog):
    """Site, date, score and note; the chosen score's meaning is shown under the choice,
    and the whole scale with its source below."""

    def __init__(self, parent: QWidget | None, rows: list[tuple[str | None, str]],
                 entry: ScoreEntry | None = None, *, site_id: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit a progress score" if entry else "Record a progress score")
        self.setObjectName("scoreDialog")
        form = QFormLayout()
        self.site = QComboBox()
        self.site.setObjectName("scoreSite")
        for rid, name in rows:
            self.site.addItem(shorten(name), rid)
        if entry is not None:
            site_id = entry.site_id
            self.site.setEnabled(False)  # a score stays with its site: delete it instead
        self.site.setCurrentIndex(max(0, self.site.findData(site_id)))
        form.addRow("Who:", self.site)
        day = entry.date if entry else None
        self.day = QDateEdit(QDate(day.year, day.month, day.day) if day
                             else QDate.currentDate())
        self.day.setObjectName("scoreDate")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        form.addRow("Date:", self.day)
        self.score = QComboBox()
        self.score.setObjectName("scoreChoice")
        for lv in SCALE:
            self.score.addItem(lv.title, lv.score)
            self.score.setItemData(self.score.count() - 1, lv.meaning, Qt.ItemDataRole.ToolTipRole)
        self.score.setCurrentIndex(-1)
        self.score.setPlaceholderText("Choose a score…")
        form.addRow("Score:", self.score)
        self.meaning = QLabel("Choose the step that describes where the team is now.")
        self.meaning.setObjectName("scoreMeaning")
        self.meaning.setWordWrap(True)
        form.addRow("", self.meaning)
        self.note = QPlainTextEdit()
        self.note.setObjectName("scoreNote")
        self.note.setPlaceholderText("Why this score: what the team did, what the data say")
        self.note.setFixedHeight(70)
        if entry is not None:
            self.note.setPlainText(entry.note)
        form.addRow("Note:", self.note)
        table = QTableWidget(len(SCALE), 2)
        table.setObjectName("scaleTable")
        table.setHorizontalHeaderLabels(["Score", "Meaning"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setWordWrap(True)
        for k, lv in enumerate(SCALE):
            table.setItem(k, 0, QTableWidgetItem(f"{lv.score} {lv.name}"))
            table.setItem(k, 1, QTableWidgetItem(lv.meaning))
        table.setColumnWidth(0, 230)
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeRowsToContents()
        table.cellClicked.connect(lambda r, _c: self.score.setCurrentIndex(r))
        source = QLabel(f"Source: {SOURCE}.")
        source.setWordWrap(True)
        quiet(source)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Record score")
        self.ok.setEnabled(False)  # a score must be chosen
        self.score.currentIndexChanged.connect(self._chosen)
        if entry is not None:
            self.score.setCurrentIndex(self.score.findData(entry.score))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(table, 1)
        layout.addWidget(source)
        layout.addWidget(self.buttons)
        self.resize(720, 640)

    def _chosen(self, index: int) -> None:
        if index < 0:
            return
        lv = LEVELS[self.score.itemData(index)]
        self.meaning.setText(f"{lv.title}: {lv.meaning}")
        self.ok.setEnabled(True)

    def values(self) -> tuple[str | None, str, dt.date, str]:
        d = self.day.date()
        return (self.site.currentData(), self.score.currentData(),
                dt.date(d.year(), d.month(), d.day()), self.note.toPlainText().strip())
