"""The fishbone editor: from a problem to the causes worth acting on.

The drawing and an outline show the same tree; edits in either show in both.  Keyboard as
in the driver diagram: Tab adds a cause under the selection (a category under the head),
Enter a sibling, F2 renames in place, Delete deletes (asking when sub-causes would go),
arrows move through the outline order, V adds a vote, Ctrl+M moves a cause to another
category; dragging a cause onto a category (or a cause of it) moves it there.  The details
beside the drawing hold evidence, votes, the root-cause flag, the 5 whys and the links to
driver-diagram drivers.  A fishbone owned by another site, or the network's seen at a site,
is read-only here: a lock banner names the owner and every editing action is off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import model
from ...store.ops import fishbones as ops
from ...store.views import diagrams as views
from ...store.views.records import record_view
from ...store.views.rows import RecordView
from ..common.fields import BoolField, ChoiceField, Field, IntField, TextField, plain_choices
from ..common.widgets import quiet
from ..records.forms import RecordForm, open_workspace
from .editor import DiagramEditor

if TYPE_CHECKING:
    from ...store.workspace import Workspace
    from ..shell.context import ShellContext

ROLE = Qt.ItemDataRole.UserRole
WHYS = 5


class CauseForm(RecordForm):
    kind = "cause"
    heading = "Cause"

    def build_fields(self) -> list[Field]:
        return [
            TextField("evidence", "Evidence", "What we saw: data, an interview, an observation",
                      lines=3),
            ChoiceField("evidence_kind", "Evidence kind", plain_choices(model.EVIDENCE_KINDS)),
            IntField("votes", "Votes", 0, 999, tip="Multi-voting: dots the team gave it"),
            BoolField("is_root", "Root cause", "Worth acting on"),
        ]

    def extra(self, layout: QVBoxLayout) -> None:
        layout.addWidget(QLabel("5 whys (why? → because …):"))
        self.whys: list[QLineEdit] = []
        for i in range(WHYS):
            edit = QLineEdit()
            edit.setObjectName(f"why{i + 1}")
            edit.setPlaceholderText(f"Why {i + 1}: because …")
            edit.editingFinished.connect(self._store_whys)
            self.editing(edit)
            layout.addWidget(edit)
            self.whys.append(edit)
        self.deepest = QLabel()
        self.deepest.setWordWrap(True)
        quiet(self.deepest)
        layout.addWidget(self.deepest)
        layout.addWidget(QLabel("Drivers this root cause informs:"))
        self.drivers = QListWidget()
        self.drivers.setMaximumHeight(80)
        layout.addWidget(self.drivers)
        row = QHBoxLayout()
        self.driver_choice = QComboBox()
        self.driver_choice.setObjectName("driverChoice")
        link = QPushButton("Link to driver")
        link.clicked.connect(self._link_driver)
        self.editing(self.driver_choice)
        self.editing(link)
        row.addWidget(self.driver_choice, 1)
        row.addWidget(link)
        layout.addLayout(row)
        from ..common.discussion import DiscussionPanel

        # comments on this cause (issue #22): any site may comment
        self.discussion = DiscussionPanel(self.shell, compact=True)
        self.discussion.setMinimumHeight(240)
        layout.addWidget(self.discussion)

    def prepare(self, ws: Workspace, record: RecordView) -> None:
        self.title.setText(record["text"])
        self.discussion.bind("cause", record.id)
        chain = record["whys"] or []
        for edit, text in zip(self.whys, [*chain, *[""] * WHYS], strict=False):
            if not edit.hasFocus():
                edit.setText(text)
        self.deepest.setText(f"Candidate root cause: {chain[-1]}" if chain else "")
        context = views.cause_context(ws, record.id)
        self.driver_choice.clear()
        for node_id, label in context.driver_choices:
            self.driver_choice.addItem(label, node_id)
        self.drivers.clear()
        self.drivers.addItems(context.linked_drivers)

    def _store_whys(self) -> None:
        if self.record_id is None or self.lock:
            return
        chain = [e.text() for e in self.whys]
        cause = record_view(open_workspace(self.shell), "cause", self.record_id)
        stored = (cause["whys"] if cause is not None else None) or []
        if [w.strip() for w in chain if w.strip()] != stored:
            self.shell.runner.run(ops.set_whys, self.shell.workspace, self.record_id, chain)

    def _link_driver(self) -> None:
        node = self.driver_choice.currentData()
        if node and self.record_id:
            self.shell.runner.run(ops.link_driver, self.shell.workspace, self.record_id, node)


class FishboneEditor(DiagramEditor):
    details: CauseForm  # the details pane beside the drawing
    hint_text = ("Tab: add a cause under the selection · Enter: add a sibling · F2: rename · "
                 "Delete · V: add a vote · Ctrl+M or drag onto a category: move · arrows: "
                 "move through the outline · Ctrl+wheel / Ctrl+0: zoom")

    def __init__(self, shell: ShellContext) -> None:
        self.outline = QTreeWidget()
        self.outline.setObjectName("fishboneOutline")
        self.outline.setAccessibleName("Outline")
        self.outline.setHeaderLabels(["Outline", "Votes"])
        self.outline.setColumnWidth(0, 200)
        self.outline.setSortingEnabled(False)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.by_votes = QCheckBox("Sort by votes")
        self.by_votes.setToolTip("List causes with the most votes first (multi-voting)")
        self.min_votes = QSpinBox()
        self.min_votes.setRange(0, 999)
        self.min_votes.setPrefix("at least ")
        self.min_votes.setSuffix(" votes")
        self.min_votes.setToolTip("Show only causes with at least this many votes")
        row.addWidget(self.by_votes)
        row.addWidget(self.min_votes)
        side_layout.addLayout(row)
        side_layout.addWidget(self.outline, 1)
        super().__init__(shell, CauseForm(shell), side=side, side_focus=self.outline)
        self.by_votes.toggled.connect(lambda _on: self._fill_outline())
        self.min_votes.valueChanged.connect(lambda _v: self._fill_outline())
        self.fishbone_id: str | None = None
        self.data: views.FishboneView | None = None
        self.outline.currentItemChanged.connect(self._outline_selected)
        self.scene.link_requested.connect(self._dropped)
        act = self.act
        act("Add cause", self.add_child, Qt.Key.Key_Tab, "Add a cause under the selection (Tab)",
            edit=True)
        act("Add sibling", self.add_sibling,
            [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)],
            "Add a cause (or category) next to the selection (Enter)", edit=True)
        act("Rename", self.rename, Qt.Key.Key_F2, "Edit the text (F2)", edit=True)
        act("Delete", self.delete_selected, QKeySequence.StandardKey.Delete,
            "Delete the selected cause or category", edit=True)
        act("+1 vote", self.vote, Qt.Key.Key_V, "Add one vote to the selected cause (V)",
            edit=True)
        act("Move to…", self.move_dialog, "Ctrl+M", "Move the cause to another category",
            edit=True)
        self.toolbar.addSeparator()
        act("Pareto…", self.pareto, tip="Causes by votes, with the cumulative share")
        act("Draft driver diagram", self.draft, tip="Propose a theory of improvement from the "
            "flagged root causes", edit=True)
        act("Export…", self.export, tip="Save the fishbone as PNG or SVG")
        act("Fit", self.view.fit, tip="Fit the whole fishbone in the window (Ctrl+0)")
        self.arrow_actions()
        from ..common.empty_states import EmptyState, place_after

        # no cause yet: what the bones are for, and a button adding the first one
        self.empty = EmptyState("fishbone", self.add_first_cause, compact=True)
        self.empty.hide()
        place_after(self.toolbar, self.empty)

    # ------------------------------------------------------------------ loading
    def bind(self, fishbone_id: str) -> None:
        first = fishbone_id != self.fishbone_id
        self.fishbone_id = fishbone_id
        self.reload()
        if first:  # the whole fishbone, refitted as the view takes its size
            self.view.fit_on_open()
            self.scene.select_only(fishbone_id)
            self.view.setFocus()

    def reload(self) -> None:
        ws = self.shell.workspace
        if ws is None or self.fishbone_id is None:
            return
        self.data = views.fishbone_view(ws, self.fishbone_id)
        self.set_locked(ws.ops.record_block("fishbone", self.fishbone_id))
        self.title.setText(self.data.fishbone.title or "Fishbone")
        self.empty.setVisible(not self.data.causes and not self.locked)
        self.scene.show_layout(self.data.layout)
        self._fill_outline()
        self._selection_changed()

    def _shown(self) -> views.FishboneView:
        """The fishbone on screen (editing needs one: its actions work on its causes)."""
        if self.data is None:
            raise RuntimeError("No fishbone is shown.")
        return self.data

    def _fill_outline(self) -> None:
        data = self.data
        if data is None:
            return
        current = self.selected()
        self.outline.blockSignals(True)
        self.outline.clear()
        self.items: dict[str, QTreeWidgetItem] = {}
        threshold = self.min_votes.value()
        if self.by_votes.isChecked() or threshold:
            ranked = sorted((c for c in data.causes.values() if c.votes >= threshold),
                            key=lambda c: (-c.votes, c.text))
            names = {c.id: c.name for c in data.categories}
            for c in ranked:
                item = QTreeWidgetItem([f"{c.text}  ({names.get(c.category_id, '')})"
                                        + ("  ROOT" if c.is_root else ""), str(c.votes)])
                item.setData(0, ROLE, c.id)
                self.outline.addTopLevelItem(item)
                self.items[c.id] = item
            if current in self.items:
                self.outline.setCurrentItem(self.items[current])
            self.outline.blockSignals(False)
            return
        for cat in data.categories:
            top = QTreeWidgetItem([cat.name, ""])
            top.setData(0, ROLE, cat.id)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.outline.addTopLevelItem(top)
            self.items[cat.id] = top

            def add(parent_item: QTreeWidgetItem, parent_id: str) -> None:
                for cid in data.children(parent_id):
                    c = data.causes[cid]
                    item = QTreeWidgetItem([c.text + ("  ROOT" if c.is_root else ""),
                                            str(c.votes or "")])
                    item.setData(0, ROLE, cid)
                    parent_item.addChild(item)
                    self.items[cid] = item
                    add(item, cid)

            add(top, cat.id)
        self.outline.expandAll()
        if current in self.items:
            self.outline.setCurrentItem(self.items[current])
        self.outline.blockSignals(False)

    def order(self) -> list[str]:
        """Categories and causes in outline (reading) order."""
        out: list[str] = []
        data = self._shown()

        def walk(node: str) -> None:
            out.append(node)
            for child in data.children(node):
                walk(child)

        for cat in data.categories:
            walk(cat.id)
        return out

    # ------------------------------------------------------------------ selection
    def on_selection(self, ids: list[str]) -> None:
        node = ids[0] if len(ids) == 1 else None
        if node is not None and node in getattr(self, "items", {}):
            self.outline.blockSignals(True)
            self.outline.setCurrentItem(self.items[node])
            self.outline.blockSignals(False)
        if node is not None and self.data is not None and node in self.data.causes:
            self.details.setEnabled(True)
            self.details.bind(node)
        else:
            self.details.setEnabled(False)

    def _outline_selected(self, item: QTreeWidgetItem | None, _prev: Any) -> None:
        if item is not None:
            self.scene.select_only(item.data(0, ROLE))

    def kind_of(self, node: str) -> str:
        if node == self.fishbone_id:
            return "fishbone"
        return "cause" if node in self._shown().causes else "fishbone_category"

    def text_of(self, node: str) -> str:
        kind, data = self.kind_of(node), self._shown()
        if kind == "cause":
            return data.causes[node].text
        if kind == "fishbone":
            return data.fishbone.problem
        return next(c.name for c in data.categories if c.id == node)

    def store_rename(self, node: str, text: str) -> None:
        self._run(ops.rename, self.shell.workspace, self.kind_of(node), node, text)

    def step_vertical(self, delta: int) -> None:
        node = self.selected()
        order = self.order()
        if node in order:
            j = order.index(node) + delta
            if 0 <= j < len(order):
                self.scene.select_only(order[j])
        elif order:
            self.scene.select_only(order[0])

    def step_horizontal(self, side: str) -> None:
        node = self.selected()
        if node is None or self.data is None:
            return
        if side == "child":
            target = (self.data.categories[0].id if node == self.fishbone_id and
                      self.data.categories else next(iter(self.data.children(node)), None)
                      if node != self.fishbone_id else None)
        elif node in self.data.causes:
            cause = self.data.causes[node]
            target = cause.parent_id or cause.category_id
        else:
            target = self.fishbone_id
        if target:
            self.scene.select_only(target)

    # ------------------------------------------------------------------ editing
    def _new_cause(self, category: str, parent: str | None, after: str | None) -> None:
        before = set(self._shown().causes)
        from ...core.walkthrough import PLACEHOLDER_CAUSE  # not a cause until renamed

        self._run(ops.add_cause, self.shell.workspace, self.fishbone_id, category,
                  PLACEHOLDER_CAUSE, parent, after_id=after)
        new = next(iter(set(self._shown().causes) - before), None)  # redrawn by the run
        if new:
            self.scene.select_only(new)
            self.rename()

    def add_first_cause(self) -> None:
        """The empty state's button: a cause on the selected bone (category), else the
        first, typed in place."""
        if self.data is None or not self.data.categories:
            return
        ids = [c.id for c in self.data.categories]
        chosen = self.selected()
        self.scene.select_only(chosen if chosen in ids else ids[0])
        self.add_child()

    def add_child(self) -> None:
        node = self.selected()
        if node is None or self.data is None:
            return
        kind = self.kind_of(node)
        if kind == "fishbone":
            self._new_category()
        elif kind == "fishbone_category":
            self._new_cause(node, None, None)
        else:
            self._new_cause(self.data.causes[node].category_id, node, None)

    def add_sibling(self) -> None:
        node = self.selected()
        if node is None or self.data is None:
            return
        kind = self.kind_of(node)
        if kind == "cause":
            cause = self.data.causes[node]
            self._new_cause(cause.category_id, cause.parent_id, node)
        else:
            self._new_category()

    def _new_category(self) -> None:
        before = {c.id for c in self._shown().categories}
        self._run(ops.add_category, self.shell.workspace, self.fishbone_id, "New category")
        new = next(iter({c.id for c in self._shown().categories} - before), None)
        if new:
            self.scene.select_only(new)
            self.rename()

    def delete_selected(self) -> None:
        node = self.selected()
        if node is None or self.data is None or node == self.fishbone_id or self.locked:
            return
        kind = self.kind_of(node)
        inside = self._descendants(node)
        if inside:
            what = "cause" if kind == "cause" else "category"
            text = (f"Delete this {what} and the {len(inside)} cause"
                    f"{'s' * (len(inside) != 1)} under it? Edit → Undo brings them back.")
            if QMessageBox.question(self, f"Delete {what}", text) != \
                    QMessageBox.StandardButton.Yes:
                return
        order = self.order()
        self._run(open_workspace(self.shell).ops.delete, kind, node)
        remaining = [n for n in order if n in self.data.causes or
                     n in {c.id for c in self.data.categories}]
        if remaining:
            self.scene.select_only(remaining[max(0, min(order.index(node), len(remaining)) - 1)])

    def _descendants(self, node: str) -> list[str]:
        data = self._shown()
        out, todo = [], list(data.children(node))
        while todo:
            n = todo.pop()
            out.append(n)
            todo += data.children(n)
        return out

    def vote(self) -> None:
        node = self.selected()
        if node and self.data and node in self.data.causes:
            self._run(open_workspace(self.shell).ops.update, "cause", node,
                      votes=self.data.causes[node].votes + 1, label="Add a vote")
            self.scene.select_only(node)

    def move_dialog(self) -> None:
        node = self.selected()
        if not node or self.data is None or node not in self.data.causes or self.locked:
            return
        names = [c.name for c in self.data.categories]
        name, ok = QInputDialog.getItem(self, "Move cause", "Move to category:", names, 0, False)
        if ok:
            target = self.data.categories[names.index(name)].id
            self._run(ops.move_cause, self.shell.workspace, node, target)
            self.scene.select_only(node)

    def pareto(self) -> None:
        from .pareto import ParetoDialog

        data = self._shown()
        dialog = ParetoDialog(self, data.fishbone.title or "Fishbone",
                              list(data.causes.values()))
        self.last_dialog = dialog
        dialog.exec()

    def draft(self) -> None:
        result = self._run(ops.draft_driver_diagram, self.shell.workspace, self.fishbone_id)
        if result is not None:
            fb = self._shown().fishbone
            self.shell.select_key(("driver_diagram", result.created[0], fb.site_id,
                                  "", fb.network_id))

    def _dropped(self, source: str, target: str) -> None:
        """A cause dragged onto a category, or onto a cause of another category."""
        if self.data is None or source not in self.data.causes:
            return
        category = target if self.kind_of(target) == "fishbone_category" else (
            self.data.causes[target].category_id if target in self.data.causes else None)
        if category and category != self.data.causes[source].category_id:
            self._run(ops.move_cause, self.shell.workspace, source, category)
