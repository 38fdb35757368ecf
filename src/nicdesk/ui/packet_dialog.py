"""The packet builder: tick and order the sections, choose the paper, see how many pages
it will be, then build the PDF with a progress dialog that can be cancelled (a cancelled
build leaves no file).  The choice is remembered per meeting on this computer."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

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
    QVBoxLayout,
)

from ..report.packet import SECTIONS, PacketCancelled, PacketOptions, PacketResult, build_packet
from ..store.meetings import packet_choice, remember_packet_choice
from ..store.schema import Meeting


class PacketDialog(QDialog):
    def __init__(self, window: Any, meeting_id: str) -> None:
        super().__init__(window)
        self.window_, self.meeting_id = window, meeting_id
        ws = window.workspace
        with ws.read() as s:
            meeting = s.get(Meeting, meeting_id)
            self.meeting_label = f"{meeting.title} ({meeting.date or 'no date'})"
            self.default_name = f"{meeting.date or ''} {meeting.title} packet.pdf".strip()
        self.setWindowTitle(f"Meeting packet — {self.meeting_label}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Tick the sections to include; drag or use the buttons to "
                                "order them. The cover and contents always come first."))
        row = QHBoxLayout()
        self.sections = QListWidget()
        self.sections.setObjectName("packetSections")
        self.sections.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        row.addWidget(self.sections, 1)
        buttons = QVBoxLayout()
        for text, delta in (("Up", -1), ("Down", 1)):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, d=delta: self.move(d))
            buttons.addWidget(b)
        buttons.addStretch(1)
        row.addLayout(buttons)
        layout.addLayout(row)
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
        self.resize(520, 480)

    def _fill(self, choice: dict | None) -> None:
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

    def options(self) -> PacketOptions:
        keys = [self.sections.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.sections.count())
                if self.sections.item(i).checkState() == Qt.CheckState.Checked]
        return PacketOptions(sections=keys, paper=self.paper.currentData())

    def move(self, delta: int) -> None:
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
        remember_packet_choice(self.window_.workspace, self.meeting_id,
                               {"sections": result.sections, "paper": self.paper.currentData()})
        self.pages.setText(f"{result.pages} pages")
        self.window_.statusBar().showMessage(
            f"Packet written: {result.path} ({result.pages} pages)", 8000)
        if self.isVisible():
            self.accept()
            if self.window_.persist_settings:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path)))
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
            return build_packet(self.window_.workspace, self.meeting_id, path, options, report)
        except PacketCancelled:
            self.window_.statusBar().showMessage("Packet cancelled: nothing was written.", 6000)
            return None
        finally:
            progress.close()
