"""The network's "Student groups" page (issue #21): its dimensions and groups in display
order, renamed in place, added, moved and deleted, and "Add the usual groups" as one
action the coordinator chooses (never created unasked).

Every write goes through `store.ops.groups` via the shell's runner, so each is one undo
step and a refused one (a name used twice, a group with values) is said under the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.groups import missing_usual
from ...store.ops import groups as gops
from ...store.views.group_rows import DimensionRow
from ...store.views.groups import network_heading, read_dimensions
from ..common.widgets import page_title, problem_label, quiet

if TYPE_CHECKING:
    from ...store.workspace import Workspace
    from ..shell.context import ShellContext

_KIND = Qt.ItemDataRole.UserRole  # "group_dimension" or "student_group"
_ID = Qt.ItemDataRole.UserRole + 1

INTRO = ("A value can be for all students or for one student group. The network decides "
         "its groups here, so every school enters and reads the same ones; a group's "
         "values are hidden wherever fewer students than the network's threshold stand "
         "behind them.")


class StudentGroupsPage(QWidget):
    """Dimensions (top level) and their groups (children), editable by the coordinator."""

    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.network_id: str | None = None
        self.dims: list[DimensionRow] = []
        layout = QVBoxLayout(self)
        self.title = page_title("Student groups")
        layout.addWidget(self.title)
        intro = quiet(QLabel(INTRO))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.usual = QPushButton("Add the usual groups")
        self.usual.setObjectName("addUsualGroups")
        self.usual.clicked.connect(self._add_usual)
        self.usual_note = QLabel()
        self.usual_note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.usual)
        top.addWidget(self.usual_note, 1)
        layout.addLayout(top)
        self.tree = QTreeWidget()
        self.tree.setObjectName("groupTree")
        self.tree.setHeaderLabels(["Dimension / group", "Groups"])
        self.tree.setColumnWidth(0, 360)
        self.tree.itemChanged.connect(self._renamed)
        self.tree.currentItemChanged.connect(lambda *_a: self._enable())
        layout.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.add_dim = QPushButton("Add dimension…")
        self.add_dim.clicked.connect(self._add_dimension)
        self.add_grp = QPushButton("Add group…")
        self.add_grp.setToolTip("Add a group to the selected dimension")
        self.add_grp.clicked.connect(self._add_group)
        self.up = QPushButton("Move up")
        self.up.clicked.connect(lambda: self._move(-1))
        self.down = QPushButton("Move down")
        self.down.clicked.connect(lambda: self._move(1))
        self.remove = QPushButton("Delete")
        self.remove.setToolTip("Delete the selected group or dimension (Undo brings it "
                               "back); a group with values is kept")
        self.remove.clicked.connect(self._delete)
        for b in (self.add_dim, self.add_grp, self.up, self.down, self.remove):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.problem = problem_label(QLabel())
        self.problem.setObjectName("groupsProblem")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.block = quiet(QLabel())
        self.block.setWordWrap(True)
        layout.addWidget(self.block)
        self._filling = False
        self._read_only = ""

    # ------------------------------------------------------------------ shell API
    def bind(self, network_id: str | None) -> None:
        self.network_id = network_id
        self.problem.clear()
        self.reload()

    def reload(self) -> None:
        ws = self.shell.workspace
        if ws is None or self.network_id is None:
            return
        name, owner = network_heading(ws, self.network_id)
        self.title.setText(f"Student groups of {name}" if name else "Student groups")
        self._read_only = ws.ops.write_block("group_dimension", owner, {"name"},
                                             creating=True) or ""
        self.block.setText(self._read_only)
        self.block.setVisible(bool(self._read_only))
        self.dims = read_dimensions(ws, self.network_id)
        self._fill(ws)

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)

    # ------------------------------------------------------------------ drawing
    def _fill(self, ws: Workspace) -> None:
        chosen = self._chosen()
        self._filling = True
        self.tree.clear()
        editable = Qt.ItemFlag.ItemIsEditable if not self._read_only else Qt.ItemFlag.NoItemFlags
        for d in self.dims:
            top = QTreeWidgetItem([d.name, str(len(d.groups))])
            top.setData(0, _KIND, "group_dimension")
            top.setData(0, _ID, d.id)
            top.setToolTip(0, d.description)
            top.setFlags(top.flags() | editable)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for g in d.groups:
                child = QTreeWidgetItem([g.name, ""])
                child.setData(0, _KIND, "student_group")
                child.setData(0, _ID, g.id)
                child.setFlags(child.flags() | editable)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
        self.tree.expandAll()
        self._filling = False
        self._select(chosen)
        missing = missing_usual(d.name for d in self.dims)
        self.usual.setVisible(bool(missing) and not self._read_only)
        self.usual_note.setText(
            "" if not missing else "Adds " + ", ".join(m[0].lower() if i else m[0]
                                                       for i, m in enumerate(missing))
            + " (the federal reporting categories); rename or delete any afterwards.")
        self.usual_note.setVisible(bool(missing) and not self._read_only)
        self._enable()

    def _chosen(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, _ID) if item is not None else None

    def _select(self, record_id: str | None) -> None:
        if record_id is None:
            return
        for item in self._items():
            if item.data(0, _ID) == record_id:
                self.tree.setCurrentItem(item)
                return

    def _items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top is None:
                continue
            out.append(top)
            out.extend(c for k in range(top.childCount()) if (c := top.child(k)) is not None)
        return out

    def _enable(self) -> None:
        item = self.tree.currentItem()
        can = not self._read_only
        self.add_dim.setEnabled(can)
        for b in (self.add_grp, self.up, self.down, self.remove):
            b.setEnabled(can and item is not None)

    # ------------------------------------------------------------------ actions
    def _run(self, fn: Any, *args: Any) -> Any:
        self.problem.clear()
        return self.shell.runner.run(fn, *args)

    def _ws(self) -> Workspace:
        ws = self.shell.workspace
        assert ws is not None  # the page is shown only with a workspace open
        return ws

    def _add_usual(self) -> None:
        if self.network_id is not None:
            self._run(gops.add_usual_groups, self._ws(), self.network_id)

    def _add_dimension(self) -> None:
        name, ok = QInputDialog.getText(self, "Add dimension",
                                        "Name of the dimension (e.g. Grade level):")
        if ok and name.strip() and self.network_id is not None:
            new = self._run(gops.add_dimension, self._ws(), self.network_id, name)
            if new is not None:
                self._select(next(iter(new.created), None))

    def _add_group(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        top = item.parent() or item
        name, ok = QInputDialog.getText(self, "Add group",
                                        f"Name of the new group in {top.text(0)}:")
        if ok and name.strip():
            dim_id = top.data(0, _ID)
            new = self._run(gops.add_group, self._ws(), dim_id, name)
            if new is not None:
                self._select(next(iter(new.created), None))

    def _renamed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0:
            return
        kind, rid, name = item.data(0, _KIND), item.data(0, _ID), item.text(0)
        if self._run(gops.rename, self._ws(), kind, rid, name) is None:
            self.reload()  # refused: the stored name comes back

    def _move(self, step: int) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._run(gops.move, self._ws(), item.data(0, _KIND), item.data(0, _ID), step)

    def _delete(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._run(gops.delete_group, self._ws(), item.data(0, _KIND), item.data(0, _ID))

