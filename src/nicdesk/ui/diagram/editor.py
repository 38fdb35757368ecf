"""What the driver-diagram and fishbone editors share: the layout of the screen (title,
lock banner, toolbar, diagram, details, hints, a line for refused edits), keyboard actions
that step aside while text is edited in place, in-place renaming, export, and the
read-only state of a diagram owned by another site or by the network coordinator (seen at
a site): no adding, moving, linking, renaming or deleting — reading, zooming and export
stay."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..common.widgets import ActionBar, LockBanner, page_title, problem_label, quiet
from .scene import DiagramScene, DiagramView

if TYPE_CHECKING:
    from ..shell.context import ShellContext

# an action's keys: one key, key name ("Ctrl+L") or standard key, or several sequences
Keys = QKeySequence | QKeySequence.StandardKey | Qt.Key | str | list[QKeySequence]


def compact_form(form: QWidget) -> None:
    """A record form narrow enough to sit beside a diagram: small margins, and a label
    goes above its field when both do not fit on one line (nothing is cut)."""
    layout = form.layout()
    if layout is not None:
        layout.setContentsMargins(8, 6, 4, 6)
    rows = getattr(form, "form", None)
    if isinstance(rows, QFormLayout):
        rows.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)


class DiagramEditor(QWidget):
    hint_text = ""
    read_only_hint = ("Read-only here: arrows move through the diagram · Ctrl+wheel, "
                      "Ctrl+= / Ctrl+− / Ctrl+0: zoom · Export… saves a picture")

    def __init__(self, shell: ShellContext, details: QWidget, side: QWidget | None = None,
                 side_focus: QWidget | None = None) -> None:
        super().__init__()
        self.shell = shell
        self.details = details
        self.side = side_focus or side  # the widget in the side pane that takes the keys
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 6, 4, 6)
        self.title = page_title()
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        self.banner = LockBanner()
        outer.addWidget(self.banner)
        self.toolbar = ActionBar()  # wraps in a narrow window: no action is hidden
        outer.addWidget(self.toolbar)
        self.scene = DiagramScene()
        self.view = DiagramView(self.scene)
        self.scene.node_activated.connect(lambda _nid: self.rename())
        self.scene.selectionChanged.connect(self._selection_changed)
        if hasattr(details, "show_banner"):
            details.show_banner = False  # the banner above the diagram says it once
        # The diagram gets the room: one column beside it holds the outline (if any) above
        # the details, which scroll when the window is short.
        compact_form(details)
        holder = QScrollArea()
        holder.setObjectName("detailsScroll")
        holder.setWidget(details)
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        holder.setMinimumWidth(max(230, details.minimumSizeHint().width()
                                   + holder.verticalScrollBar().sizeHint().width()))
        self.splitters: list[QSplitter] = []
        column: QWidget = holder
        if side is not None:
            stacked = QSplitter(Qt.Orientation.Vertical)
            stacked.setObjectName("sideSplitter")
            stacked.setChildrenCollapsible(False)
            stacked.addWidget(side)
            stacked.addWidget(holder)
            stacked.setStretchFactor(1, 1)
            stacked.setSizes([220, 400])
            self.splitters.append(stacked)
            column = stacked
        split = self.splitter = QSplitter()
        split.setObjectName("editorSplitter")
        split.setChildrenCollapsible(False)
        split.addWidget(self.view)
        split.addWidget(column)
        split.setStretchFactor(0, 1)  # the diagram takes what the window gains
        split.setStretchFactor(1, 0)
        split.setSizes([1000, 260])
        self.splitters.insert(0, split)
        outer.addWidget(split, 1)
        self.hint = QLabel(self.hint_text)
        quiet(self.hint)
        self.hint.setWordWrap(True)
        outer.addWidget(self.hint)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        problem_label(self.problem)
        self.problem.hide()
        outer.addWidget(self.problem)
        self.editor: QLineEdit | None = None
        self.key_actions: list[QAction] = []  # off while text is edited in place
        self.edit_actions: list[QAction] = []  # off while the diagram is read-only
        self.locked: str | None = None  # why this diagram may not be changed here

    # ------------------------------------------------------------------ actions
    def act(self, text: str, slot: Callable[..., object], keys: Keys | None = None, tip: str = "",
            toolbar: bool = True, side: bool = True, edit: bool = False) -> QAction:
        """An action; its keys work while the diagram (or the outline beside it) has the
        focus — never while a person types in the details pane.  An `edit` action changes
        the diagram, so it is off while the diagram is read-only."""
        a = QAction(text, self)
        if edit:
            self.edit_actions.append(a)
        if keys is not None:
            a.setShortcuts(keys if isinstance(keys, list) else [QKeySequence(keys)])
            a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.view.addAction(a)
            if side and self.side is not None:
                self.side.addAction(a)
            self.key_actions.append(a)
        a.setToolTip(tip or text)
        a.setStatusTip(tip or text)
        a.triggered.connect(slot)
        if toolbar:
            self.toolbar.addAction(a)
        return a

    def arrow_actions(self) -> None:
        """Up/Down within a column or list, Left to the parent, Right to the first child:
        shortcuts only, not on the toolbar."""
        for key, slot in ((Qt.Key.Key_Up, lambda: self.step_vertical(-1)),
                          (Qt.Key.Key_Down, lambda: self.step_vertical(1)),
                          (Qt.Key.Key_Left, lambda: self.step_horizontal("parent")),
                          (Qt.Key.Key_Right, lambda: self.step_horizontal("child"))):
            self.act("", slot, key, toolbar=False, side=False)

    # ------------------------------------------------------------------ to override
    def text_of(self, node: str) -> str:
        raise NotImplementedError

    def store_rename(self, node: str, text: str) -> None:
        raise NotImplementedError

    def on_selection(self, ids: list[str]) -> None:
        raise NotImplementedError

    def step_vertical(self, delta: int) -> None:
        raise NotImplementedError

    def step_horizontal(self, side: str) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ shared behaviour
    def set_locked(self, why: str | None) -> None:
        """Read-only with the owner named in the banner (`why`, from
        `Operations.record_block`), or editable again when None."""
        self.locked = why or None
        self.banner.show_block(self.locked)
        for action in self.edit_actions:
            action.setEnabled(not self.locked and self.editor is None)
            tip = action.statusTip()
            action.setToolTip(self.locked if self.locked else tip)
        self.scene.read_only = bool(self.locked)
        self.hint.setText(self.read_only_hint if self.locked else self.hint_text)
        if self.locked and self.editor is not None:
            self.editor.deleteLater()  # an in-place edit begun before the lock came
            self.editor = None
            for action in self.key_actions:
                action.setEnabled(action not in self.edit_actions)

    def show_problem(self, message: str) -> None:
        """A refused edit, said under the diagram (nothing was stored)."""
        self.problem.setText("⚠ " + message + " Nothing was changed.")
        self.problem.show()

    def _selection_changed(self) -> None:
        if not shiboken6.isValid(self.scene) or not shiboken6.isValid(self.details):
            return  # the window is being torn down
        self.on_selection(self.scene.selected_ids())

    def selected(self) -> str | None:
        ids = self.scene.selected_ids()
        return ids[0] if len(ids) == 1 else None

    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Every change of the diagram goes through here: none while it is read-only."""
        if self.locked:
            return None
        self.problem.hide()
        return self.shell.runner.run(fn, *args, **kwargs)

    def rename(self) -> None:
        node = self.selected()
        if node is None or node not in self.scene.nodes or self.locked:
            return
        item = self.scene.nodes[node]
        rect = self.view.mapFromScene(item.sceneBoundingRect()).boundingRect()
        editor = QLineEdit(self.view.viewport())
        editor.setObjectName("inPlaceEditor")
        editor.setText(self.text_of(node))
        editor.selectAll()
        editor.setGeometry(rect.x(), rect.y() + 4, max(rect.width(), 220), 28)
        editor.show()
        editor.setFocus()
        self.editor = editor
        for action in self.key_actions:  # Enter, Tab, arrows belong to the text now
            action.setEnabled(False)

        def finish(save: bool) -> None:
            if self.editor is not editor:
                return
            self.editor = None
            for action in self.key_actions:
                action.setEnabled(not (self.locked and action in self.edit_actions))
            text = editor.text()
            editor.deleteLater()
            if save and not self.locked and text.strip() != self.text_of(node):
                self.store_rename(node, text)
            self.scene.select_only(node)
            self.view.setFocus()

        editor.returnPressed.connect(lambda: finish(True))
        editor.editingFinished.connect(lambda: finish(True))
        escape = QAction(editor)
        escape.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        # this editor's own: an earlier one not yet deleted must not make Esc ambiguous
        escape.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        escape.triggered.connect(lambda: finish(False))
        editor.addAction(escape)

    def export(self, path: str | None = None) -> Path | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export diagram", "diagram.png",
                                                  "PNG image (*.png);;SVG drawing (*.svg)")
        if not path:
            return None
        return self.scene.export(path)
