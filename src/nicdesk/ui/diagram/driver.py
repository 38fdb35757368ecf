"""The driver diagram editor: the theory of improvement on one screen.

Keyboard first: Tab adds a child of the selected node, Enter a sibling, F2 renames in
place, Delete deletes (asking first when children or PDSA cycles would go with it),
arrows move the selection, Ctrl+Up/Down reorder (which pins the order), Ctrl+L links the
selection to another node.  With the mouse: drag a node onto another to link them,
select a link and press Delete to remove it, double-click to rename.  Every edit is one
operation, so Edit → Undo/Redo cover them all.  A diagram owned by another site, or the
network's seen at a site, is read-only: a lock banner names the owner, editing is off,
reading, comparing and export stay.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core import model
from ...core.diagram_diff import clean_version, diff_versions
from ...core.layout import COLUMN_HEADINGS, LEVELS, LayoutNode, layout_driver
from ...core.states import DriverLevel
from ...store.ops import diagrams as ops
from ...store.views import diagrams as views
from ...store.views.records import existing_ids, measures_of_network
from ...store.views.rows import RecordView
from ..common.fields import ChoiceField, Field, TextField, plain_choices
from ..records.forms import RecordForm, open_workspace
from .editor import DiagramEditor
from .scene import DiagramScene, DiagramView

if TYPE_CHECKING:
    from ...store.operations import OpChanges
    from ...store.workspace import Workspace
    from ..shell.context import ShellContext

#: keyed by the level as stored (a plain string), hence `str` keys
NEXT_LEVEL: dict[str, DriverLevel] = {
    DriverLevel.AIM: DriverLevel.PRIMARY, DriverLevel.PRIMARY: DriverLevel.SECONDARY,
    DriverLevel.SECONDARY: DriverLevel.CHANGE_IDEA}
NEW_TEXT: dict[str, str] = {DriverLevel.PRIMARY: "New primary driver",
                            DriverLevel.SECONDARY: "New secondary driver",
                            DriverLevel.CHANGE_IDEA: "New change idea"}


class NodeForm(RecordForm):
    """Details of the selected node: description and status (text is edited in place)."""

    kind = "driver_node"
    heading = "Node"

    def build_fields(self) -> list[Field]:
        return [
            TextField("description", "Description", "What this driver or idea means here",
                      lines=4),
            ChoiceField("status", "Status", plain_choices(model.NODE_STATUSES),
                        tip="Shown by border style and a letter: H, T, E, ×"),
        ]

    def extra(self, layout: QVBoxLayout) -> None:
        self.info = QLabel()
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        # not an edit of the diagram: a site runs cycles on the network's ideas too
        self.new_cycle = QPushButton("New PDSA cycle on this change idea")
        self.new_cycle.setObjectName("newCycle")
        self.new_cycle.setToolTip("Start a PDSA cycle testing this change idea and open it "
                                  "to plan (Ctrl+Shift+P)")
        self.new_cycle.hide()
        layout.addWidget(self.new_cycle)
        self.causes = QLabel()
        self.causes.setObjectName("rootCauses")
        self.causes.setWordWrap(True)
        layout.addWidget(self.causes)
        layout.addWidget(QLabel("Linked measures:"))
        self.measures = QListWidget()
        self.measures.setMaximumHeight(90)
        layout.addWidget(self.measures)
        row = QHBoxLayout()
        self.measure_choice = QComboBox()
        add = QPushButton("Link measure")
        add.clicked.connect(self._link_measure)
        self.editing(self.measure_choice)
        self.editing(add)
        row.addWidget(self.measure_choice, 1)
        row.addWidget(add)
        layout.addLayout(row)
        from ..common.discussion import DiscussionPanel

        # comments on this driver or idea (issue #22): any site may comment
        self.discussion = DiscussionPanel(self.shell, compact=True)
        self.discussion.setMinimumHeight(240)
        layout.addWidget(self.discussion)

    def prepare(self, ws: Workspace, record: RecordView) -> None:
        self.title.setText(f"{record['level'].title()}: {record['text']}")
        self.discussion.bind("driver_node", record.id)
        details = views.node_details(ws, record.id)
        causes = details.root_causes
        self.causes.setText("Root causes behind it: " + "; ".join(causes) if causes else "")
        names = {m.id: m.name for m in measures_of_network(ws)}
        self.measures.clear()
        for measure_id in details.linked_measures:
            self.measures.addItem(names.get(measure_id, "?"))
        self.measure_choice.clear()
        for mid, name in sorted(names.items(), key=lambda x: x[1]):
            self.measure_choice.addItem(name, mid)

    def _link_measure(self) -> None:
        mid = self.measure_choice.currentData()
        if mid and self.record_id:
            ws = open_workspace(self.shell)
            self.shell.runner.run(ws.ops.create, "node_measure", node_id=self.record_id,
                                  measure_id=mid, label="Link measure")


class DriverEditor(DiagramEditor):
    details: NodeForm  # the details pane beside the diagram
    hint_text = ("Tab: add child · Enter: add sibling · F2: rename · Delete · Ctrl+↑/↓: "
                 "reorder · Ctrl+L or drag onto a node: link · Ctrl+wheel, Ctrl+= / Ctrl+− / "
                 "Ctrl+0: zoom")

    def __init__(self, shell: ShellContext) -> None:
        super().__init__(shell, NodeForm(shell))
        self.scene.headings = COLUMN_HEADINGS  # "Aim · Primary drivers · …" over the columns
        self.diagram_id: str | None = None
        self.data: views.DriverDiagramView | None = None
        self.highlight: dict[str, str] = {}
        self.scene.link_requested.connect(self.link_nodes)
        act = self.act
        self.act_child = act("Add child", self.add_child, Qt.Key.Key_Tab,
                             "Add a node one level to the right of the selected one (Tab)",
                             edit=True)
        self.act_sibling = act("Add sibling", self.add_sibling,
                               [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)],
                               "Add a node below the selected one (Enter)", edit=True)
        self.act_rename = act("Rename", self.rename, Qt.Key.Key_F2, "Edit the text (F2)",
                              edit=True)
        self.act_delete = act("Delete", self.delete_selected, QKeySequence.StandardKey.Delete,
                              "Delete the selected node or link", edit=True)
        act("Move up", lambda: self.move_node(-1), "Ctrl+Up", "Move up in its column (Ctrl+↑)",
            edit=True)
        act("Move down", lambda: self.move_node(1), "Ctrl+Down", "Move down (Ctrl+↓)",
            edit=True)
        act("Link to…", self.link_dialog, "Ctrl+L", "Link the selected node to another",
            edit=True)
        self.act_new_cycle = act("New PDSA cycle", self.new_cycle,
                                 tip="Start a PDSA cycle testing the selected change idea "
                                 "(Ctrl+Shift+P)")
        self.act_new_cycle.setEnabled(False)
        self.details.new_cycle.clicked.connect(lambda _checked=False: self.new_cycle())
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.toolbar.addSeparator()
        act("Save snapshot…", self.snapshot, tip="Keep a named, dated copy of the theory",
            edit=True)
        act("Compare…", self.compare, tip="What changed between snapshots, or since one")
        act("Export…", self.export, tip="Save the diagram as PNG or SVG")
        self.toolbar.addSeparator()
        act("Fit", self.view.fit, tip="Fit the whole diagram in the window (Ctrl+0)")
        self.arrow_actions()
        from ..common.empty_states import EmptyState, place_after

        # only the aim: what drivers are, and a button adding the first primary driver
        self.empty = EmptyState("driver_diagram", self.add_first_driver, compact=True)
        self.empty.hide()
        place_after(self.toolbar, self.empty)

    # ------------------------------------------------------------------ loading
    def bind(self, diagram_id: str) -> None:
        first = diagram_id != self.diagram_id
        self.diagram_id = diagram_id
        self.highlight = {}
        self.reload()
        if first:  # the whole diagram, refitted as the view takes its size
            self.view.fit_on_open()
            nodes = self.data.nodes if self.data is not None else {}
            aim = next((i for i, n in nodes.items() if n.level == DriverLevel.AIM), None)
            if aim:
                self.scene.select_only(aim)
            self.view.setFocus()

    def reload(self) -> None:
        ws = self.shell.workspace
        if ws is None or self.diagram_id is None:
            return
        self.data = views.driver_diagram(ws, self.diagram_id)
        self.set_locked(ws.ops.record_block("driver_diagram", self.diagram_id))
        d = self.data
        origin = " (adopted from the network diagram)" if d.diagram.adopted_from_id else ""
        self.title.setText(d.diagram.name + origin)
        self.empty.setVisible(not self.locked and all(
            n.level == DriverLevel.AIM for n in d.nodes.values()))
        extras = {nid: f"{n} PDSA cycle{'s' * (n != 1)}" for nid, n in d.cycles.items()}
        self.scene.show_layout(d.layout, {i: n.status for i, n in d.nodes.items()}, extras,
                               self.highlight)
        self._selection_changed()

    def _shown(self) -> views.DriverDiagramView:
        """The diagram on screen (editing needs one: its actions work on its nodes)."""
        if self.data is None:
            raise RuntimeError("No driver diagram is shown.")
        return self.data

    def text_of(self, node: str) -> str:
        return self._shown().nodes[node].text

    def store_rename(self, node: str, text: str) -> None:
        self._run(ops.rename_node, self.shell.workspace, node, text)

    def on_selection(self, ids: list[str]) -> None:
        idea = self.selected_change_idea()
        self.act_new_cycle.setEnabled(idea is not None)
        self.details.new_cycle.setVisible(idea is not None)
        if len(ids) == 1 and self.data and ids[0] in self.data.nodes:
            self.details.setEnabled(True)
            self.details.bind(ids[0])
            cycles = self.data.cycles.get(ids[0], 0)
            self.details.info.setText(f"PDSA cycles run on this change idea: {cycles}"
                                      if idea is not None else "")
        else:
            self.details.setEnabled(False)

    # ------------------------------------------------------------------ PDSA cycles
    def selected_change_idea(self) -> str | None:
        """The selected node when it is a change idea (PDSA cycles test those)."""
        node = self.selected()
        if node is None or self.data is None or node not in self.data.nodes:
            return None
        return node if self.data.nodes[node].level == DriverLevel.CHANGE_IDEA else None

    def new_cycle(self) -> str | None:
        """A PDSA cycle testing the selected change idea, opened to plan: at the diagram's
        site (a network diagram: the site it is seen at, or one the shell asks for)."""
        node = self.selected_change_idea()
        if node is None or self.data is None:
            return None
        d = self.data.diagram
        return self.shell.new_cycle(d.site_id, d.network_id, node_id=node)

    def context_menu(self, node: str) -> QMenu:
        """What a right-click on a node offers (the toolbar's actions that apply to it)."""
        self.scene.select_only(node)
        menu = QMenu(self)
        if not self.locked:
            menu.addAction(self.act_rename)
            menu.addAction(self.act_child)
            menu.addAction(self.act_sibling)
        if self.selected_change_idea() is not None:
            menu.addSeparator()
            menu.addAction(self.act_new_cycle)
        if not self.locked:
            menu.addSeparator()
            menu.addAction(self.act_delete)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        item = self.view.itemAt(pos)
        node = next((nid for nid, it in self.scene.nodes.items()
                     if item is not None and (it is item or it.isAncestorOf(item))), None)
        if node is not None:
            menu = self.context_menu(node)
            if not menu.isEmpty():
                menu.exec(self.view.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------------ editing
    def _created_node(self, result: OpChanges | None) -> str | None:
        if result is None:
            return None
        return next(iter(existing_ids(open_workspace(self.shell), "driver_node",
                                      result.created)), None)

    def add_first_driver(self) -> None:
        """The empty state's button: a primary driver under the aim, typed in place."""
        aim = next((i for i, n in (self.data.nodes if self.data else {}).items()
                    if n.level == DriverLevel.AIM), None)
        if aim is not None:
            self.scene.select_only(aim)
            self.add_child()

    def add_child(self) -> None:
        node = self.selected()
        if node is None or self.data is None:
            return
        level = NEXT_LEVEL.get(self.data.nodes[node].level)
        if level is None:
            self.shell.show_status("Change ideas are the last level; add a "
                                   "sibling with Enter instead.", 5000)
            return
        self._add(level, node, None)

    def add_sibling(self) -> None:
        node = self.selected()
        if node is None or self.data is None:
            return
        level = self.data.nodes[node].level
        if level == DriverLevel.AIM:
            self.add_child()
            return
        parents = self.data.parents(node)
        self._add(level, parents[0] if parents else None, node)

    def _add(self, level: str, parent: str | None, after: str | None) -> None:
        ws = self.shell.workspace
        result = self._run(ops.add_node, ws, self.diagram_id, level, NEW_TEXT[level], parent,
                           after_id=after)
        new = self._created_node(result)
        if new:
            self.scene.select_only(new)
            self.rename()

    def delete_selected(self) -> None:
        if self.locked:
            return
        ws = open_workspace(self.shell)
        edges = self.scene.selected_edges()
        if edges:
            for edge in edges:
                self._run(ops.unlink, ws, self.diagram_id, edge.parent_id, edge.child_id)
            return
        node = self.selected()
        if node is None or self.data is None or self.diagram_id is None:
            return
        if self.data.nodes[node].level == DriverLevel.AIM:
            self.shell.show_status("The aim stays; edit its text instead.", 5000)
            return
        children, cycles = views.deletion_impact(ws, self.diagram_id, node)
        if children or cycles:
            text = (f"Delete “{self.data.nodes[node].text}”"
                    + (f" and {children} node{'s' * (children != 1)} that only hang from it"
                       if children else "")
                    + "?" + (f" {cycles} PDSA cycle{'s' * (cycles != 1)} tested this idea; "
                             "they are kept, without the link to the diagram." if cycles else "")
                    + " Edit → Undo brings it all back.")
            if QMessageBox.question(self, "Delete node", text) != QMessageBox.StandardButton.Yes:
                return
        parents = self.data.parents(node)
        self._run(ops.delete_node, ws, self.diagram_id, node)
        if parents:
            self.scene.select_only(parents[0])

    def move_node(self, delta: int) -> None:
        """Move the selected node up (-1) or down (1); not `move`, QWidget's own."""
        node = self.selected()
        if node is not None and self.data is not None:
            self._run(ops.move, self.shell.workspace, self.data, node, delta)
            self.scene.select_only(node)

    def link_nodes(self, source: str, target: str) -> None:
        """Link two nodes in whichever direction the levels allow."""
        if self.data is None:
            return
        a, b = self.data.nodes[source], self.data.nodes[target]
        parent, child = (target, source) if LEVELS.index(a.level) > LEVELS.index(b.level) \
            else (source, target)
        self._run(ops.link, self.shell.workspace, self.diagram_id, parent, child)

    def link_dialog(self) -> None:
        node = self.selected()
        if node is None or self.data is None or self.locked:
            return
        level = LEVELS.index(self.data.nodes[node].level)
        options = [(n.text, nid) for nid, n in self.data.nodes.items()
                   if abs(LEVELS.index(n.level) - level) == 1]
        if not options:
            return
        names = [f"{t}" for t, _ in options]
        name, ok = QInputDialog.getItem(self, "Link to", "Link the selected node to:", names,
                                        0, False)
        if ok:
            self.link_nodes(node, options[names.index(name)][1])

    def step_vertical(self, delta: int) -> None:
        node = self.selected()
        if node is None or self.data is None:
            return
        column = self.data.layout.column(self.data.layout.boxes[node].column)
        ids = [b.id for b in column]
        j = ids.index(node) + delta
        if 0 <= j < len(ids):
            self.scene.select_only(ids[j])

    def step_horizontal(self, side: str) -> None:
        node, data = self.selected(), self.data
        if node is None or data is None:
            return
        targets = data.parents(node) if side == "parent" else data.children(node)
        if targets:
            self.scene.select_only(sorted(targets, key=lambda t: data.layout.boxes[t].y)[0])

    # ------------------------------------------------------------------ snapshots, export
    def snapshot(self) -> None:
        if self.locked:
            return
        name, ok = QInputDialog.getText(self, "Save snapshot", "Name of this version of the "
                                        "theory:", text=f"Theory on {dt.date.today():%d %b %Y}")
        if ok:
            self._run(ops.save_snapshot, self.shell.workspace, self.diagram_id, name)

    def compare(self) -> None:
        if self.data is None or self.diagram_id is None:
            return
        ws = open_workspace(self.shell)
        snaps = views.diagram_snapshots(ws, self.diagram_id)
        if not snaps:
            QMessageBox.information(self, "Compare", "There are no snapshots yet. Use “Save "
                                    "snapshot…” to keep this version of the theory.")
            return
        dialog = CompareDialog(self, snaps, self.data.version())
        self.last_dialog = dialog
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.highlight = dialog.highlight_now
            self.reload()

class CompareDialog(QDialog):
    """Two versions side by side in words, with the older one drawn read-only."""

    def __init__(self, parent: QWidget | None, snaps: list[views.SnapshotInfo],
                 now: dict[str, Any]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare versions of the theory")
        self.resize(1000, 640)
        self.snaps, self.now = snaps, now
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.older = QComboBox()
        self.newer = QComboBox()
        for snap in snaps:
            label = f"{snap.taken} — {snap.name}"
            self.older.addItem(label, snap.id)
            self.newer.addItem(label, snap.id)
        self.newer.addItem("Now", None)
        self.newer.setCurrentIndex(self.newer.count() - 1)
        row.addWidget(QLabel("Compare"))
        row.addWidget(self.older, 1)
        row.addWidget(QLabel("with"))
        row.addWidget(self.newer, 1)
        layout.addLayout(row)
        split = QSplitter()
        self.text = QTextBrowser()
        self.text.setObjectName("diffText")
        self.scene = DiagramScene()
        self.scene.headings = COLUMN_HEADINGS
        self.view = DiagramView(self.scene)
        split.addWidget(self.text)
        split.addWidget(self.view)
        split.setSizes([380, 620])
        layout.addWidget(split, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        show = buttons.addButton("Highlight changes on the diagram",
                                 QDialogButtonBox.ButtonRole.AcceptRole)
        show.setToolTip("Close and mark added, reworded and relinked nodes")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.older.currentIndexChanged.connect(self.refresh)
        self.newer.currentIndexChanged.connect(self.refresh)
        self.highlight_now: dict[str, str] = {}
        self.refresh()

    def version(self, snap_id: str | None) -> dict[str, Any]:
        if snap_id is None:
            return clean_version(self.now)
        return clean_version(next(s.content for s in self.snaps if s.id == snap_id))

    def refresh(self) -> None:
        old, new = self.version(self.older.currentData()), self.version(self.newer.currentData())
        diff = diff_versions(old, new)
        lines = diff.describe(old, new)
        self.text.setHtml("<h3>What changed</h3><ul>" + "".join(
            f"<li>{line}</li>" for line in lines) + "</ul>")
        nodes = [LayoutNode(n["id"], n["level"], n["text"], n.get("position", 0))
                 for n in old.get("nodes", [])]
        lay = layout_driver(nodes, [tuple(x) for x in old.get("links", [])])
        marks = {i: "removed" for i in diff.removed}
        marks.update({i: "reworded" for i in diff.reworded})
        self.scene.show_layout(lay, {n["id"]: n.get("status", "") for n in old["nodes"]},
                               highlight=marks)
        self.view.fit()
        self.highlight_now = {i: "added" for i in diff.added}
        self.highlight_now.update({i: "reworded" for i in diff.reworded})
        self.highlight_now.update({i: "relinked" for i in diff.relinked
                                   if i not in self.highlight_now})
        if self.newer.currentData() is not None:
            self.highlight_now = {}
