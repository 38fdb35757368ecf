"""File → New Initiative From…: start the next initiative in a new workspace file, with
the structure of a network in the open workspace or of a starter template
(`services.initiatives`; what is copied and what is not: `core.initiative`).

The dialog shows, before anything is written, exactly what the new network starts with
and what stays behind (and a template's sources); the new file then opens in the window.
A name missing, a file that exists, a record refused: said in the dialog, which stays
open, and no file is left."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from ...core.errors import NicdeskError
from ..common.widgets import problem_label

if TYPE_CHECKING:
    from ...core.initiative import InitiativePlan
    from ...store.workspace import Workspace

_ROLE = Qt.ItemDataRole.UserRole


class NewInitiativeDialog(QDialog):
    """Choose where the structure comes from, name the initiative and its file, see the
    plan, start.  `started` is the new file's path once written."""

    def __init__(self, parent: QWidget | None, ws: Workspace | None) -> None:
        super().__init__(parent)
        from ...services.workspaces import named_records
        from ...templates import starter_templates

        self.ws = ws
        self.started: Path | None = None
        self._auto_name = ""
        self._auto_path = ""
        self.setWindowTitle("New initiative")
        self.setObjectName("newInitiativeDialog")
        form = QFormLayout(self)
        intro = QLabel("Start the next initiative in a new workspace file, with the structure "
                       "of a network you have or of a starter template drawn from the "
                       "research. Nothing in the open workspace changes.")
        intro.setWordWrap(True)
        form.addRow(intro)
        self.sources = QListWidget()
        self.sources.setObjectName("initiativeSources")
        for net in named_records(ws, "network") if ws is not None else []:
            item = QListWidgetItem(f"Structure of {net.name}")
            item.setData(_ROLE, ("network", net.id, ""))
            item.setToolTip("Charter, sites and members, student groups, measure "
                            "definitions, fishbone categories and the driver diagram")
            self.sources.addItem(item)
        for t in starter_templates():
            item = QListWidgetItem(f"Starter template: {t.name}")
            item.setData(_ROLE, ("template", t.id, t.name))
            item.setToolTip(t.summary)
            self.sources.addItem(item)
        self.sources.setMaximumHeight(self.sources.sizeHintForRow(0) * 6 + 8)
        form.addRow("Start from:", self.sources)
        self.name = QLineEdit()
        self.name.setObjectName("initiativeName")
        self.name.setPlaceholderText("e.g. Chronic absence NIC 2027–28")
        form.addRow("Name:", self.name)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setObjectName("initiativePath")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("Save as:", row)
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("initiativePreview")
        self.preview.setReadOnly(True)
        self.preview.setMinimumHeight(220)
        form.addRow("What it starts with:", self.preview)
        self.problem = problem_label(QLabel())
        self.problem.setObjectName("initiativeProblem")
        self.problem.setWordWrap(True)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Start initiative")
        buttons.accepted.connect(self.start)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(640)
        self.sources.currentItemChanged.connect(lambda *_: self._chosen())
        self.name.textChanged.connect(lambda _t: self._named())
        self.sources.setCurrentRow(0)

    # ------------------------------------------------------------------ choosing
    def _source(self) -> tuple[str, str, str] | None:
        item = self.sources.currentItem()
        return None if item is None else tuple(item.data(_ROLE))

    def _chosen(self) -> None:
        """A template names the initiative after itself until the person types a name."""
        source = self._source()
        if source is not None and self.name.text() == self._auto_name:
            self._auto_name = source[2]
            self.name.setText(source[2])
        self._named()

    def _named(self) -> None:
        from ...paths import data_dir
        from ...services.workspaces import school_workspace_path

        name = self.name.text().strip()
        if self.path.text() == self._auto_path:
            self._auto_path = str(school_workspace_path(name, data_dir())) if name else ""
            self.path.setText(self._auto_path)
        self._show_plan()

    def _plan(self, name: str) -> InitiativePlan | None:
        from ...services.initiatives import initiative_from_network, initiative_from_template

        source = self._source()
        if source is None:
            return None
        kind, ident, _label = source
        if kind == "network" and self.ws is not None:
            return initiative_from_network(self.ws, ident, name)
        return initiative_from_template(ident, name)

    def _show_plan(self) -> None:
        self.problem.setText("")
        try:
            plan = self._plan(self.name.text().strip() or "The new initiative")
        except NicdeskError as exc:
            self.preview.setPlainText("")
            self.problem.setText(exc.message)
            return
        if plan is None:
            self.preview.setPlainText("Choose where the new initiative's structure comes from.")
            return
        lines = [plan.summary(), "", "Left behind, and what to check:"]
        lines += [f"• {s}" for s in plan.left_out]
        if plan.sources:
            lines += ["", "Sources:"] + [f"• {s}" for s in plan.sources]
        self.preview.setPlainText("\n".join(lines))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the new initiative as",
                                              self.path.text(),
                                              "NICdesk workspaces (*.nicdesk)")
        if path:
            self.path.setText(path if path.endswith(".nicdesk") else path + ".nicdesk")

    # ------------------------------------------------------------------ starting
    def start(self) -> None:
        """Write the new file; on a refusal say why here and keep the dialog open."""
        from ...services.initiatives import start_initiative

        name = self.name.text().strip()
        target = Path(self.path.text().strip())
        if not name:
            self.problem.setText("Give the new initiative a name.")
            return
        if target.suffix != ".nicdesk" or not target.parent.is_dir():
            self.problem.setText("Save the new initiative as a .nicdesk file in a folder "
                                 "that exists.")
            return
        if target.exists():
            self.problem.setText(f"{target.name} already exists: choose another name for "
                                 "the file.")
            return
        try:
            plan = self._plan(name)
            if plan is None:
                self.problem.setText("Choose where the new initiative's structure comes "
                                     "from.")
                return
            start_initiative(target, plan).close()
        except NicdeskError as exc:
            self.problem.setText(exc.message)
            return
        self.started = target
        self.accept()
