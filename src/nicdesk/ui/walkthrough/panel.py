"""The guided first cycle's panel: a dock beside the work saying what to do next.

It takes a new team from a problem to a fishbone, a driver diagram, a first PDSA cycle
and a measure, in its own workspace.  Each step names where to act (menu, navigator item,
button, key) and has a "Do it" button that goes there: it selects the item, opens the
dialog or the editor and puts the cursor where the person types.  A step is checked off
when its records are stored (`core.walkthrough.progress` over `store.views.walkthrough`),
never because a button was clicked, so work done any other way counts too.

Whether the walkthrough is on is kept in the workspace (meta "walkthrough": "on" or
"off"), so a walkthrough left halfway comes back, at the right step, when the workspace
is opened again.  Help → Guided First Cycle turns it on or off.

The panel is built by the main window (`Walkthrough(window)`) and knows it only through
the small `WalkthroughWindow` protocol, so this module never imports the window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core.walkthrough import STEPS, Progress, Step, WalkthroughFacts
from ..common.widgets import page_title, quiet, tone

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QMenuBar, QStackedWidget

    from ..shell.actions import WindowCommands
    from ..shell.context import ShellContext

#: the workspace meta key remembering whether the walkthrough is on
META_KEY = "walkthrough"
DONE_MARK, NEXT_MARK, TODO_MARK = "✓", "▶", "○"


class WalkthroughWindow(Protocol):
    """What the panel uses of the main window (structural: the window imports this)."""

    @property
    def context(self) -> ShellContext: ...

    @property
    def commands(self) -> WindowCommands: ...

    @property
    def stack(self) -> QStackedWidget: ...

    @property
    def workspace_loaded(self) -> SignalInstance: ...

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - Qt's name


class WalkthroughPanel(QWidget):
    """The steps with their checks, the next step's instruction and its "Do it"."""

    def __init__(self, shell: ShellContext, commands: WindowCommands,
                 front: Callable[[], QWidget | None], stop: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("walkthroughPanel")
        self.shell = shell
        self.commands = commands
        self.front = front
        self.facts: WalkthroughFacts | None = None
        self.progress: Progress | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)
        outer.addWidget(page_title("Your first improvement cycle", 1.15))
        intro = QLabel("From a problem to a first test of change, in your own workspace. "
                       "Each step is ticked when it is saved; stop any time and it picks up "
                       "where you are.")
        intro.setWordWrap(True)
        quiet(intro)
        outer.addWidget(intro)
        self.bar = QProgressBar()
        self.bar.setRange(0, len(STEPS))
        self.bar.setFormat("%v of %m steps done")
        self.bar.setTextVisible(True)
        outer.addWidget(self.bar)
        self.rows: dict[str, QLabel] = {}
        for key, title, _instruction, _guide in STEPS:
            row = QLabel(f"{TODO_MARK}  {title}")
            row.setObjectName(f"step_{key}")
            outer.addWidget(row)
            self.rows[key] = row
        box = QFrame()
        box.setObjectName("walkthroughCurrent")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(10, 8, 10, 8)
        self.heading = QLabel()
        self.heading.setObjectName("walkthroughHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        inner.addWidget(self.heading)
        self.instruction = QLabel()
        self.instruction.setObjectName("walkthroughInstruction")
        self.instruction.setWordWrap(True)
        self.instruction.setTextFormat(Qt.TextFormat.PlainText)
        inner.addWidget(self.instruction)
        self.note = QLabel()
        self.note.setObjectName("walkthroughNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        quiet(self.note)
        inner.addWidget(self.note)
        buttons = QHBoxLayout()
        self.do_button = QPushButton("Do it")
        self.do_button.setObjectName("walkthroughDo")
        self.do_button.setToolTip("Go there: select the item, open the dialog or editor, "
                                  "and put the cursor where you type")
        self.do_button.clicked.connect(lambda _checked=False: self.do_it())
        buttons.addWidget(self.do_button)
        self.guide_button = QPushButton("Read the guide")
        self.guide_button.setObjectName("walkthroughGuide")
        self.guide_button.clicked.connect(lambda _checked=False: self.open_guide())
        buttons.addWidget(self.guide_button)
        buttons.addStretch(1)
        inner.addLayout(buttons)
        outer.addWidget(box)
        outer.addStretch(1)
        self.stop_button = QPushButton("Stop the walkthrough")
        self.stop_button.setObjectName("walkthroughStop")
        self.stop_button.setToolTip("Hide this panel; Help → Guided First Cycle brings it "
                                    "back where you left it")
        self.stop_button.clicked.connect(lambda _checked=False: stop())
        outer.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignLeft)

    # ------------------------------------------------------------------ state
    def refresh(self) -> None:
        """Read the steps again from what is stored."""
        ws = self.shell.workspace
        if ws is None:
            return
        from ...core.walkthrough import progress
        from ...store.views.walkthrough import walkthrough_facts

        self.facts = walkthrough_facts(ws)
        self.progress = progress(self.facts)
        self._show(self.progress)

    def _show(self, p: Progress) -> None:
        current = p.current.key if p.current is not None else None
        for step in p.steps:
            row = self.rows[step.key]
            mark = DONE_MARK if step.done else NEXT_MARK if step.key == current else TODO_MARK
            row.setText(f"{mark}  {step.title}")
            font = row.font()
            font.setBold(step.key == current)
            row.setFont(font)
            # done: the improvement colour of this palette (the mark says it too)
            row.setStyleSheet(f"color: {tone('improvement', row.palette()).name()}"
                              if step.done else "")
            row.setAccessibleName(f"{step.title}: {'done' if step.done else 'to do'}")
            row.setToolTip(step.instruction)
        self.bar.setValue(p.done)
        if p.current is None:
            self.heading.setText("All done — your first cycle is under way")
            self.instruction.setText(
                "Your team has named a problem and its causes, written a theory with a "
                "change idea, planned a PDSA cycle and started a measure. Next: run the "
                "test, write what happened under Do, compare it with your predictions "
                "under Study, and decide under Act.")
            self.note.setText("")
            self.do_button.hide()
            self.guide_button.setVisible(self._opener("pdsa") is not None)
            self.stop_button.setText("Close the walkthrough")
            return
        step = p.current
        self.heading.setText(f"Next: {step.title}")
        self.instruction.setText(step.instruction)
        self.note.setText(step.note)
        self.note.setVisible(bool(step.note))
        self.do_button.show()
        self.guide_button.setVisible(self._opener(step.guide) is not None)
        self.stop_button.setText("Stop the walkthrough")

    def current(self) -> Step | None:
        return self.progress.current if self.progress is not None else None

    # ------------------------------------------------------------------ guide
    def _opener(self, slug: str) -> Callable[[QWidget], object] | None:
        from ..common.empty_states import guide_opener

        return guide_opener(slug)

    def open_guide(self) -> None:
        step = self.current()
        opener = self._opener(step.guide if step is not None else "pdsa")
        if opener is not None:
            opener(self)

    # ------------------------------------------------------------------ "Do it"
    def do_it(self) -> None:
        """Go where the next step is done: open its dialog or editor, cursor in place."""
        self.refresh()
        step, facts = self.current(), self.facts
        if step is None or facts is None:
            return
        net, site = facts.network_id, facts.site_id
        if step.key == "site" or site is None or net is None:
            self.commands.add_site(net, None)
            return
        act: dict[str, Callable[[], object]] = {
            "problem": lambda: self._group_then(site, net, "fishbones",
                                                lambda: self.commands.new_fishbone(net, site)),
            "causes": lambda: self._add_cause(step, site),
            "aim": lambda: self._group_then(
                site, net, "driver_diagrams",
                lambda: self.commands.new_driver_diagram(net, site)),
            "primary": lambda: self._add_node(step, site, "aim"),
            "change_idea": lambda: self._add_node(step, site, step.node),
            "cycle": lambda: self._new_cycle(step, site),
            "plan": lambda: self._plan(step),
            "measure": lambda: self._group_then(site, net, "measures",
                                                lambda: self._new_measure(net, site, step)),
            "data": lambda: self._first_value(step, site),
        }
        act[step.key]()

    def _group_then(self, site: str, net: str, group: str, then: Callable[[], object]) -> None:
        """Select the site's group in the navigator (so the person sees where the action
        lives), then do it."""
        self.shell.select_key(("group", None, site, group, net))
        then()

    def _page(self) -> Any:
        """The page in front (duck-typed: the panel imports no page module)."""
        return self.front()

    def _chosen_category(self, fishbone: str) -> str | None:
        """The bone the person has selected in that fishbone, if it is in front: a
        category, or the category of a selected cause."""
        editor = self._page()
        data = getattr(editor, "data", None)
        if data is None or getattr(editor, "fishbone_id", None) != fishbone:
            return None
        node = editor.selected()
        if node in data.causes:
            category: str = data.causes[node].category_id
            return category
        return node if node in {c.id for c in data.categories} else None

    def _add_cause(self, step: Step, site: str) -> None:
        if step.target is None:
            return
        chosen = self._chosen_category(step.target)
        if not self.shell.select_record("fishbone", step.target, site):
            return
        editor = self._page()
        data = getattr(editor, "data", None)
        if data is None or not data.categories:
            return
        # on the bone the person selected (a cause's bone: beside it), else the first:
        # the cause belongs where the team says, never where there is room
        ids = {c.id for c in data.categories}
        category = chosen if chosen in ids else min(data.categories,
                                                    key=lambda c: c.position).id
        editor.scene.select_only(category)
        editor.add_child()

    def _add_node(self, step: Step, site: str, node: str | None) -> None:
        if step.target is None or not self.shell.select_record("driver_diagram", step.target,
                                                               site):
            return
        editor = self._page()
        data = getattr(editor, "data", None)
        if data is None:
            return
        if node == "aim":
            node = next((i for i, n in data.nodes.items() if n.level == "aim"), None)
        if node is None or node not in data.nodes:
            return
        editor.scene.select_only(node)
        editor.add_child()

    def _new_cycle(self, step: Step, site: str) -> None:
        if step.target is None or step.node is None or not self.shell.select_record(
                "driver_diagram", step.target, site):
            return
        editor = self._page()
        editor.scene.select_only(step.node)
        editor.new_cycle()
        self._focus_field("objective")

    def _plan(self, step: Step) -> None:
        if step.target is None:
            return
        self.shell.open_cycle(step.target)
        page = self._page()
        tabs = getattr(page, "tabs", None)
        if tabs is not None:
            tabs.setCurrentIndex(0)  # Plan
        objective = [f for f in page.findChildren(QWidget, "field_objective")
                     if hasattr(f, "toPlainText")] if page is not None else []
        table = getattr(next(iter(getattr(page, "forms", [])), None), "questions", None)
        if not objective or not objective[0].toPlainText().strip() or table is None:
            self._focus_field("objective")
            return
        # the objective is written: the first question or prediction still missing
        for row in range(table.rowCount()):
            for column in range(table.columnCount()):
                item = table.item(row, column)
                if item is not None and not item.text().strip():
                    table.setFocus(Qt.FocusReason.OtherFocusReason)
                    table.setCurrentCell(row, column)  # may start editing already
                    if table.state() != QAbstractItemView.State.EditingState:
                        table.editItem(item)
                    return
        add = [b for b in page.findChildren(QPushButton) if b.text() == "Add question"]
        if add and add[0].isEnabled():
            add[0].click()  # a new row, its question being typed

    def _new_measure(self, net: str, site: str, step: Step) -> None:
        """Add a measure, or open the one added but not yet named and defined (never a
        second), on its Definition tab: the cursor in the name, else the definition."""
        from ...core.walkthrough import PLACEHOLDER_MEASURE, named

        facts = self.facts
        unfinished = next((m for m in facts.measures if m.id == step.target), None) \
            if facts is not None and step.target is not None else None
        if unfinished is None or not self.shell.select_record("measure", unfinished.id,
                                                              site):
            unfinished = None
            self.commands.add_measure(net, site)
        page = self._page()
        form = getattr(page, "form", None)
        if form is not None and hasattr(page, "tabs"):
            page.tabs.setCurrentWidget(form)  # Definition: name and define it
        if unfinished is not None and named(unfinished.name, PLACEHOLDER_MEASURE):
            self._focus_field("definition")
        else:
            self._focus_field("name", select=True)

    def _first_value(self, step: Step, site: str) -> None:
        if step.target is None or not self.shell.select_record("measure", step.target, site):
            return
        page = self._page()
        if hasattr(page, "type_first_value"):  # the measure page: Data tab, new row
            page.type_first_value()

    def _focus_field(self, name: str, select: bool = False) -> None:
        page = self._page()
        if page is None:
            return
        found = [f for f in page.findChildren(QWidget, f"field_{name}") if f.isVisible()]
        if found:
            found[0].setFocus(Qt.FocusReason.OtherFocusReason)
            if select and hasattr(found[0], "selectAll"):
                found[0].selectAll()


class WalkthroughDock(QDockWidget):
    """The panel's dock; closing it stops the walkthrough (Help brings it back)."""

    def __init__(self, owner: Walkthrough, parent: QWidget) -> None:
        super().__init__("First cycle", parent)
        self.owner = owner

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        super().closeEvent(event)
        self.owner.set_on(False)


class Walkthrough:
    """The walkthrough on one main window: its dock, its Help menu entry, its memory."""

    def __init__(self, window: WalkthroughWindow) -> None:
        self.window = window
        shell = window.context
        self.shell = shell
        self.panel = WalkthroughPanel(shell, window.commands, window.stack.currentWidget,
                                      lambda: self.set_on(False))
        parent = window.menuBar().window()
        dock = WalkthroughDock(self, parent)
        dock.setObjectName("walkthroughDock")
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        dock.setWidget(scroll)
        dock.setMinimumWidth(260)
        if isinstance(parent, QMainWindow):
            parent.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            parent.resizeDocks([dock], [300], Qt.Orientation.Horizontal)
        dock.hide()
        self.dock = dock
        self.action = QAction("Guided &First Cycle", parent, checkable=True)
        tip = ("A checklist beside your work: from a problem to a fishbone, a driver diagram, "
               "a first PDSA cycle and a measure")
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.setEnabled(False)
        self.action.triggered.connect(self.set_on)
        help_menu = next((m for a in window.menuBar().actions()
                          if isinstance(m := a.menu(), QMenu)
                          and a.text().replace("&", "") == "Help"), None)
        if help_menu is not None:
            entries = help_menu.actions()
            if entries:
                help_menu.insertAction(entries[0], self.action)
                help_menu.insertSeparator(entries[0])
            else:
                help_menu.addAction(self.action)
        window.workspace_loaded.connect(self.sync)

    def is_on(self) -> bool:
        ws = self.shell.workspace
        return ws is not None and ws.meta().get(META_KEY) == "on"

    def set_on(self, on: bool) -> None:
        """Turn the walkthrough on (shown at the next step) or off, and remember it in the
        workspace."""
        ws = self.shell.workspace
        if ws is None:
            return
        if (ws.meta().get(META_KEY) == "on") != on:
            ws.set_meta(**{META_KEY: "on" if on else "off"})
        self.sync()

    def start(self) -> None:
        self.set_on(True)

    def sync(self) -> None:
        """Show or hide the panel as the open workspace remembers it."""
        on = self.is_on()
        self.action.setEnabled(self.shell.workspace is not None)
        self.action.setChecked(on)
        if on:
            self.panel.refresh()
            self.dock.show()
            self.dock.raise_()
        elif self.dock.isVisible():
            self.dock.hide()

    def refresh(self) -> None:
        """After any change: tick what is now stored (only while shown)."""
        if self.shell.workspace is None:
            self.action.setEnabled(False)
            self.dock.hide()
            return
        if self.dock.isVisible():
            self.panel.refresh()
