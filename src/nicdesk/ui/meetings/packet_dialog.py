"""The packet builder: tick and order the sections, choose the paper, see how many pages
it will be, then build the PDF with a progress dialog that can be cancelled (a cancelled
build leaves no file).  The choice is remembered per meeting on this computer."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...report.packet import (
    RECENT_CYCLES,
    SECTIONS,
    PacketCancelled,
    PacketOptions,
    PacketResult,
    build_packet,
    packet_choices,
)
from ...store.ops.meetings import packet_choice, remember_packet_choice
from ...store.views.records import record_view
from ..records.forms import open_workspace

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from ...store.workspace import Workspace


@runtime_checkable
class PacketWindow(Protocol):
    """What the dialog uses of the main window it opens over (besides being its parent)."""

    @property
    def workspace(self) -> Workspace | None: ...

    @property
    def persist_settings(self) -> bool:
        """False in tests and screenshots: then a built packet is not opened."""
        ...

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name


class PacketDialog(QDialog):
    def __init__(self, window: QWidget, meeting_id: str) -> None:
        super().__init__(window)
        if not isinstance(window, PacketWindow):
            raise TypeError("The packet dialog opens over the main window.")
        self.window_: PacketWindow = window
        self.meeting_id = meeting_id
        ws = open_workspace(window)
        meeting = record_view(ws, "meeting", meeting_id)
        title, date = (meeting["title"], meeting["date"]) if meeting else ("", None)
        self.meeting_label = f"{title} ({date or 'no date'})"
        self.default_name = f"{date or ''} {title} packet.pdf".strip()
        self.setWindowTitle(f"Meeting packet — {self.meeting_label}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Tick the sections to include; drag or use the buttons to "
                                "order them. The cover and contents always come first. "
                                "Below, choose which measures and sites they show."))
        row = QHBoxLayout()
        self.sections = QListWidget()
        self.sections.setObjectName("packetSections")
        self.sections.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        row.addWidget(self.sections, 1)
        buttons = QVBoxLayout()
        for text, delta in (("Up", -1), ("Down", 1)):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, d=delta: self.move_section(d))
            buttons.addWidget(b)
        buttons.addStretch(1)
        row.addLayout(buttons)
        layout.addLayout(row)
        measures, sites = packet_choices(ws, meeting_id)
        items = QHBoxLayout()
        self.measures = self._checklist(items, "Measures (run charts, summary, funnel)",
                                        measures, "packetMeasures")
        self.sites = self._checklist(items, "Sites (charts and one-pagers)", sites,
                                     "packetSites")
        layout.addLayout(items)
        cycles = QHBoxLayout()
        cycles.addWidget(QLabel("Recent PDSA cycles:"))
        self.cycles = QSpinBox()
        self.cycles.setObjectName("packetCycles")
        self.cycles.setRange(0, 200)
        self.cycles.setValue(RECENT_CYCLES)
        cycles.addWidget(self.cycles)
        cycles.addStretch(1)
        layout.addLayout(cycles)
        paper = QHBoxLayout()
        paper.addWidget(QLabel("Paper:"))
        self.paper = QComboBox()
        self.paper.setObjectName("packetPaper")
        self.paper.addItem("US Letter", "letter")
        self.paper.addItem("A4", "a4")
        paper.addWidget(self.paper)
        paper.addStretch(1)
        self.count = QPushButton("Count pages")
        self.count.clicked.connect(self.count_pages)
        paper.addWidget(self.count)
        self.pages = QLabel()
        self.pages.setObjectName("packetPages")
        paper.addWidget(self.pages)
        layout.addLayout(paper)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.build_button = box.addButton("Build PDF…", QDialogButtonBox.ButtonRole.AcceptRole)
        box.accepted.connect(lambda: self.build())
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self._fill(packet_choice(ws, meeting_id))
        self.resize(640, 640)

    @staticmethod
    def _checklist(row: QHBoxLayout, title: str, pairs: list[tuple[str, str]],
                   name: str) -> QListWidget:
        column = QVBoxLayout()
        column.addWidget(QLabel(title))
        box = QListWidget()
        box.setObjectName(name)
        for rid, label in pairs:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, rid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            box.addItem(item)
        column.addWidget(box)
        row.addLayout(column)
        return box

    @staticmethod
    def _checked(box: QListWidget) -> list[str] | None:
        """The ticked ids, or None when all are ticked (new sites then join too)."""
        ids = [box.item(i).data(Qt.ItemDataRole.UserRole) for i in range(box.count())
               if box.item(i).checkState() == Qt.CheckState.Checked]
        return None if len(ids) == box.count() else ids

    @staticmethod
    def _tick(box: QListWidget, ids: list[str] | None) -> None:
        for i in range(box.count()):
            item = box.item(i)
            on = ids is None or item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _fill(self, choice: dict[str, Any] | None) -> None:
        chosen = list((choice or {}).get("sections") or [k for k, _ in SECTIONS])
        order = chosen + [k for k, _ in SECTIONS if k not in chosen]
        titles = dict(SECTIONS)
        for key in order:
            item = QListWidgetItem(titles[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in chosen
                               else Qt.CheckState.Unchecked)
            self.sections.addItem(item)
        self.paper.setCurrentIndex(max(0, self.paper.findData((choice or {}).get("paper",
                                                                                "letter"))))
        self._tick(self.measures, (choice or {}).get("measures"))
        self._tick(self.sites, (choice or {}).get("sites"))
        self.cycles.setValue(int((choice or {}).get("cycles", RECENT_CYCLES)))

    def options(self) -> PacketOptions:
        keys = [self.sections.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.sections.count())
                if self.sections.item(i).checkState() == Qt.CheckState.Checked]
        return PacketOptions(sections=keys, paper=self.paper.currentData(),
                             measures=self._checked(self.measures),
                             sites=self._checked(self.sites),
                             recent_cycles=self.cycles.value())

    def move_section(self, delta: int) -> None:
        """Move the current section up (-1) or down (1); not `move`, QWidget's own."""
        row = self.sections.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < self.sections.count():
            return
        item = self.sections.takeItem(row)
        self.sections.insertItem(target, item)
        self.sections.setCurrentRow(target)

    def count_pages(self) -> int | None:
        """Build into a temporary file to count pages (the same code as the real build)."""
        with tempfile.TemporaryDirectory() as tmp:
            result = self._run(Path(tmp) / "preview.pdf", "Counting pages…")
        if result is not None:
            self.pages.setText(f"{result.pages} pages")
            return result.pages
        return None

    def build(self, path: str | None = None) -> PacketResult | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save the meeting packet",
                                                  self.default_name, "PDF files (*.pdf)")
            if not path:
                return None
        result = self._run(Path(path), "Building the packet…")
        if result is None:
            return None
        options = self.options()
        remember_packet_choice(open_workspace(self.window_), self.meeting_id,
                               {"sections": result.sections, "paper": options.paper,
                                "measures": options.measures, "sites": options.sites,
                                "cycles": options.recent_cycles})
        self.pages.setText(f"{result.pages} pages")
        self.window_.statusBar().showMessage(
            f"Packet written: {result.path} ({result.pages} pages)", 8000)
        if self.isVisible():
            self.accept()
            if self.window_.persist_settings:
                open_pdf(self.window_, result.path)
        return result

    def _run(self, path: Path, label: str) -> PacketResult | None:
        options = self.options()
        if not options.sections:
            QMessageBox.information(self, "Nothing to build", "Tick at least one section.")
            return None
        progress = QProgressDialog(label, "Cancel", 0, 100, self)
        progress.setObjectName("packetProgress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        self.progress_dialog = progress

        def report(done: int, total: int, what: str) -> bool:
            progress.setLabelText(what)
            progress.setValue(int(100 * done / max(total, 1)))
            QCoreApplication.processEvents()
            return not progress.wasCanceled()

        try:
            return build_packet(open_workspace(self.window_), self.meeting_id, path, options,
                                report)
        except PacketCancelled:
            self.window_.statusBar().showMessage("Packet cancelled: nothing was written.", 6000)
            return None
        finally:
            progress.close()


def open_pdf(parent: Any, path: Path) -> bool:
    """Open a written PDF in the computer's PDF viewer; when there is none (or it does
    not start), say so and where the file is, rather than nothing happening."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    QMessageBox.information(
        parent, "No PDF viewer",
        f"The packet is saved as\n{path}\n\nbut no program to show PDF files opened it. "
        "Install a PDF viewer, or open the file from its folder.")
    return False
