"""The main window's commands that create, delete and share things: each asks what it
needs, runs one operation through the runner and selects the result.

`WindowCommands` is owned by `MainWindow` (kept apart so the window module holds the shell
only).  It works through the `ShellContext` (workspace, runner, navigation) like a page
does; the window itself serves only as the parent of its dialogs and as the target of the
exchange dialogs, which open workspaces and show their own results on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QInputDialog,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog, QMenuBar, QToolBar

    from ...store.views.nav_tree import NavNode
    from ...store.workspace import Workspace
    from ..exchange.common import ExchangeWindow
    from .context import ContextAction, ShellContext
    from .navigator import Navigator

    class CommandWindow(ExchangeWindow, Protocol):
        """The main window as its commands use it: what the exchange dialogs need, plus
        the menu bar (the Network menu's entries).  Structural, because the main window
        module imports this one."""

        def menuBar(self) -> QMenuBar: ...


#: the width of a one-line question (`WindowCommands.ask_text`): its example shows whole
ASK_WIDTH = 520


class _AskDialog(QInputDialog):
    """A one-line question that takes no blank answer: OK is off (and Enter does
    nothing) while the box is empty or only spaces."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.textValueChanged.connect(lambda _text: self._sync())

    def _ok(self) -> QPushButton | None:
        box = self.findChild(QDialogButtonBox)
        return box.button(QDialogButtonBox.StandardButton.Ok) if box is not None else None

    def _sync(self) -> None:
        ok = self._ok()
        if ok is not None:
            ok.setEnabled(bool(self.textValue().strip()))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._sync()

    def done(self, result: int) -> None:
        if result == QInputDialog.DialogCode.Accepted and not self.textValue().strip():
            return  # no answer yet: the dialog stays open
        super().done(result)


class WindowCommands:
    """The commands behind menus, toolbar buttons and the navigator's context menu."""

    def __init__(self, window: CommandWindow, shell: ShellContext, navigator: Navigator) -> None:
        self._window = window  # the exchange dialogs act on the window
        self._parent = window.window()  # the dialogs' parent widget (the main window)
        self._shell = shell
        self._navigator = navigator
        self.last_dialog: QDialog | None = None  # kept alive (and findable) while shown
        self.act_request_join: QAction | None = None
        self.act_enrol_request: QAction | None = None
        self.act_new_cycle: QAction | None = None  # PDSA → New PDSA cycle
        self.act_spread: QAction | None = None  # PDSA → Spread of Change Ideas
        self.pdsa_menu: QMenu | None = None
        self._front: Callable[[], object] | None = None  # the page in front
        self.act_guide: QAction | None = None  # Help → Guide
        self.act_help_here: QAction | None = None  # Help → Help on This Page (F1)
        self.act_help_button: QAction | None = None  # the toolbar's "?"

    @property
    def workspace(self) -> Workspace | None:
        return self._shell.workspace

    def _open(self) -> Workspace:
        """The open workspace: commands needing one are disabled while none is open."""
        ws = self._shell.workspace
        if ws is None:
            raise RuntimeError("No workspace is open.")
        return ws

    def add_site(self, network_id: str | None, parent_id: str | None) -> str | None:
        if self.workspace is None:
            return None
        if network_id is None:
            node = self._navigator.current_node()
            network_id = node.network_id if node else None
        if network_id is None:
            return None
        name, ok = QInputDialog.getText(self._parent, "Add site", "Name of the school, "
                                        "district or agency:")
        if not ok or not name.strip():
            return None
        return self.create_site(network_id, name.strip(), parent_id)

    def create_site(self, network_id: str, name: str, parent_id: str | None) -> str | None:
        result = self._shell.runner.run(self._open().ops.create, "site", network_id=network_id,
                                        name=name, parent_id=parent_id,
                                        label=f"Add site {name}")
        if result is not None:
            self._shell.select_key(("site", result.id, result.id, "", network_id))
            site_id: str = result.id
            return site_id
        return None

    def ask_text(self, title: str, label: str, example: str) -> str | None:
        """Ask for one line of text, `example` shown in grey in the empty box (never a
        value: OK stays off until something is typed).  None when cancelled."""
        from PySide6.QtWidgets import QLineEdit

        dialog = _AskDialog(self._parent)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue("")
        dialog.setMinimumWidth(ASK_WIDTH)  # the example shows whole
        edit = dialog.findChild(QLineEdit)
        if edit is not None:
            edit.setPlaceholderText(f"e.g. {example}")
            edit.setMinimumWidth(ASK_WIDTH - 40)
        try:
            answered = dialog.exec() == QInputDialog.DialogCode.Accepted
            text = dialog.textValue().strip()
        finally:
            dialog.deleteLater()
        return text if answered and text else None

    def add_aim(self, network_id: str, site_id: str | None) -> None:
        statement = self.ask_text("Add aim", "The aim: how much, by when, for whom:",
                                  "By June 2027, 85 % of 9th graders on track")
        if statement is None:
            return
        result = self._shell.runner.run(self._open().ops.create, "aim", network_id=network_id,
                                        site_id=site_id, statement=statement)
        if result is not None:
            self._shell.select_key(("aim", result.id, site_id, "", network_id))

    def _network_diagrams(self, network_id: str) -> list[tuple[str, str]]:
        from ...store.views.diagrams import network_diagrams

        return network_diagrams(self._open(), network_id)

    def new_driver_diagram(self, network_id: str, site_id: str | None) -> None:
        from ...store.ops.diagrams import new_diagram

        aim = self.ask_text("New driver diagram", "The aim this theory serves:",
                            "By June 2027, 85 % of 9th graders on track")
        if aim is None:
            return
        result = self._shell.runner.run(new_diagram, self._open(), network_id, site_id,
                                        "Driver diagram", aim)
        if result is not None:
            self._shell.select_key(("driver_diagram", result.created[0], site_id, "",
                                    network_id))

    def new_cycle(self, site_id: str | None = None, network_id: str | None = None, *,
                  change_idea_id: str | None = None, node_id: str | None = None
                  ) -> str | None:
        """Start a PDSA cycle and open it: at `site_id`, else the site of the item selected
        in the navigator, this workspace's own site, or the one site it may write (asked
        when there are several); testing a change idea (or a change-idea node's) if given.
        Returns the new cycle's id (None when cancelled or refused)."""
        from ...store.ops.pdsa import new_cycle
        from ...store.views.records import create_block, existing_ids, sites_in_network

        ws = self.workspace
        if ws is None:
            return None
        current = self._navigator.current_node()
        site = site_id or (current.site_id if current else None) or \
            ws.meta().get("local_site_id") or None
        if site is None:
            network = network_id or (current.network_id if current else None)
            sites = [s for s in (sites_in_network(ws, network) if network else [])
                     if create_block(ws, "pdsa_cycle", s.id) is None]
            if not sites:
                self._shell.show_status("A PDSA cycle belongs to a site: add one first "
                                        "(Network → Add Site…).", 8000)
                return None
            if len(sites) == 1:
                site = sites[0].id
            else:
                names = [s.name for s in sites]
                name, ok = QInputDialog.getItem(self._parent, "New PDSA cycle",
                                                "Which site runs this cycle?", names, 0, False)
                if not ok:
                    return None
                site = sites[names.index(name)].id
        result = self._shell.runner.run(new_cycle, ws, site, change_idea_id=change_idea_id,
                                        node_id=node_id)
        cycle = next(iter(existing_ids(ws, "pdsa_cycle", result.created)), None) \
            if result is not None else None
        if cycle is not None:
            self._shell.open_cycle(cycle)
        return cycle

    def new_cycle_here(self) -> None:
        """PDSA → New PDSA cycle: on the change idea selected in the page in front (a
        driver diagram's change-idea node), else at the selected site."""
        page = self._front() if self._front is not None else None
        idea_node = getattr(page, "selected_change_idea", None)
        node = idea_node() if callable(idea_node) else None
        if node is not None and hasattr(page, "new_cycle"):
            page.new_cycle()
        else:
            self.new_cycle()

    def install_pdsa_menu(self, before: QAction | None, front: Callable[[], object]) -> None:
        """The PDSA menu (before `before`, the Help menu's action): New PDSA cycle
        (Ctrl+Shift+P) for the page in front, which `front` returns (once)."""
        if self.act_new_cycle is not None:
            return
        from PySide6.QtGui import QAction, QKeySequence

        self._front = front
        menu = QMenu("&PDSA", self._parent)
        act = QAction("&New PDSA cycle", self._parent)
        act.setShortcut(QKeySequence("Ctrl+Shift+P"))
        tip = ("Start a PDSA cycle testing the selected change idea, or at the selected "
               "site (Ctrl+Shift+P)")
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(self.new_cycle_here)
        menu.addAction(act)
        spread = QAction("&Spread of Change Ideas", self._parent)
        spread.setObjectName("showSpread")
        spread.setStatusTip("Where each change idea is tested, adapted, adopted or abandoned, "
                            "and your site's own status")
        spread.triggered.connect(self.show_spread)
        menu.addAction(spread)
        self.act_spread = spread
        bar = self._window.menuBar()
        if before is not None:
            bar.insertMenu(before, menu)
        else:
            bar.addMenu(menu)
        self.pdsa_menu, self.act_new_cycle = menu, act

    def show_spread(self) -> bool:
        """PDSA → Spread of Change Ideas: the network view's Spread tab (issue #22), for
        the network of the item selected (else the first); False when there is none."""
        from .navigator import ROLE, node_key

        item = self._navigator.currentItem() or self._navigator.topLevelItem(0)
        while item is not None and item.parent() is not None:
            item = item.parent()
        root = item.data(0, ROLE) if item is not None else None
        if root is None or root.kind != "network" or not root.id:
            self._shell.show_status("Open a workspace holding a network first.", 5000)
            return False
        from ...store.views.nav_tree import NavNode

        if not self._shell.select_key(node_key(NavNode("network_view", "Network view",
                                                       network_id=root.id))):
            return False
        page = self._front() if self._front is not None else None
        panel, tabs = getattr(page, "spread_panel", None), getattr(page, "tabs", None)
        if panel is None or tabs is None:
            return False
        tabs.setCurrentWidget(panel)
        return True

    def install_help(self, help_menu: QMenu, toolbar: QToolBar | None,
                     slug: Callable[[], str]) -> None:
        """Help → Guide and Help → Help on This Page (F1), and the toolbar's "?" (at its
        right end): both open the guide page `slug` names for the page in front."""
        if self.act_guide is not None:
            return
        from PySide6.QtGui import QAction, QKeySequence
        from PySide6.QtWidgets import QSizePolicy, QWidget

        def open_guide(page: str) -> None:
            from ..help import open_guide as show

            show(page, self._parent)

        guide_act = QAction("&Guide", self._parent)
        tip = "Short pages on improvement work and on every chart rule, offline"
        guide_act.setToolTip(tip)
        guide_act.setStatusTip(tip)
        guide_act.triggered.connect(lambda _checked=False: open_guide("start"))
        here = QAction("&Help on This Page", self._parent)
        here.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))  # F1
        here.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        here.triggered.connect(lambda _checked=False: open_guide(slug()))
        ask = QAction("?", self._parent)
        ask.setObjectName("helpHere")
        ask.triggered.connect(lambda _checked=False: open_guide(slug()))

        def name_the_page() -> None:  # the tip names the page the guide will open
            from ... import guide  # on first hover, not before the window's first paint

            title = guide.PAGES.get(slug())
            words = f"Guide: {title.title} (F1)" if title else "Open the guide (F1)"
            for action in (here, ask):
                action.setToolTip(words)
                action.setStatusTip(words)

        for action in (here, ask):
            action.setToolTip("Open the guide page about this page (F1)")
            action.setStatusTip("Open the guide page about this page (F1)")
        ask.hovered.connect(name_the_page)
        help_menu.aboutToShow.connect(name_the_page)
        entries = help_menu.actions()
        first = entries[0] if entries else None
        if first is None:
            help_menu.addActions([guide_act, here])
        else:
            help_menu.insertActions(first, [guide_act, here])
            help_menu.insertSeparator(first)
        if toolbar is not None:
            spacer = QWidget()
            spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            toolbar.addWidget(spacer)
            toolbar.addAction(ask)
            button = toolbar.widgetForAction(ask)
            if button is not None:
                button.setObjectName("helpHereButton")
                button.setAccessibleName("Help on this page")
                font = button.font()
                font.setBold(True)
                font.setPointSizeF(font.pointSizeF() * 1.3)
                button.setFont(font)
                button.setMinimumWidth(button.sizeHint().height())
        self.act_guide, self.act_help_here, self.act_help_button = guide_act, here, ask

    def new_fishbone(self, network_id: str, site_id: str | None) -> None:
        from ...store.ops.fishbones import new_fishbone

        problem = self.ask_text("New fishbone",
                                "The problem (the effect at the head of the fish):",
                                "Too many 9th graders fail a course in the first semester")
        if problem is None:
            return
        result = self._shell.runner.run(new_fishbone, self._open(), network_id, site_id,
                                        problem)
        if result is not None:
            self._shell.select_key(("fishbone", result.created[0], site_id, "", network_id))

    def adopt_diagram(self, diagram_id: str, site_id: str) -> None:
        from ...store.ops.diagrams import adopt

        result = self._shell.runner.run(adopt, self._open(), diagram_id, site_id)
        if result is not None:
            node = self._navigator.current_node()
            self._shell.select_key(("driver_diagram", result.created[0], site_id, "",
                                    node.network_id if node else None))

    def _adopting(self, diagram_id: str, site_id: str) -> Callable[[], None]:
        """A command adopting one network diagram.  A closure without arguments: a button
        passes its "checked" flag to any slot parameter (once a `d=` default here)."""
        return lambda: self.adopt_diagram(diagram_id, site_id)

    def add_measure(self, network_id: str, site_id: str | None) -> None:
        from ...core.walkthrough import PLACEHOLDER_MEASURE  # named on its Definition tab

        result = self._shell.runner.run(self._open().ops.create, "measure",
                                        network_id=network_id, site_id=site_id,
                                        name=PLACEHOLDER_MEASURE, label="Add measure")
        if result is not None:
            self._shell.select_key(("measure", result.id, site_id, "", network_id))

    def delete_node(self, node: NavNode) -> None:
        from ...core.model import KIND_LABELS

        ws = self.workspace
        if ws is None or not node.id or node.kind in ("network", "charter"):
            return
        label = KIND_LABELS.get(node.kind, node.kind).lower()
        if node.children and node.kind == "site":
            answer = QMessageBox.question(
                self._parent, "Delete site", f"Delete {node.label} and everything in it? "
                "You can undo this with Edit → Undo.")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._shell.runner.run(ws.ops.delete, node.kind, node.id,
                               label=f"Delete {label} {node.label}")

    def delete_selected(self) -> None:
        node = self._navigator.current_node()
        if node is not None:
            self.delete_node(node)

    def context_actions(self, node: NavNode) -> list[ContextAction]:
        """The navigator's context menu (and the summary page's buttons) for an item."""
        if self.workspace is None:
            return []
        net = node.network_id
        site = node.site_id
        actions: list[ContextAction] = []
        if node.kind in ("network", "sites"):
            actions.append(("Add site…", lambda: self.add_site(net, None)))
        if node.kind == "site":
            actions.append(("Add site inside…", lambda: self.add_site(net, node.id)))
            if net is not None:
                actions.append(("Add aim", lambda: self.add_aim(net, node.id)))
        if net is None:  # never so: every item below a network carries its id
            return actions
        if node.kind == "group" and node.group == "aims":
            actions.append(("Add aim", lambda: self.add_aim(net, site)))
        if node.kind == "group" and node.group == "driver_diagrams":
            actions.append(("New driver diagram…",
                            lambda: self.new_driver_diagram(net, site)))
            if site:
                for diagram_id, name in self._network_diagrams(net):
                    actions.append((f"Start from the network diagram “{name}”",
                                    self._adopting(diagram_id, site)))
        if node.kind == "group" and node.group == "pdsa" and site:
            actions.append(("New PDSA cycle", lambda: self.new_cycle(site, net)))
        if node.kind == "group" and node.group == "fishbones":
            actions.append(("New fishbone…", lambda: self.new_fishbone(net, site)))
        if node.kind == "group" and node.group == "measures":
            actions.append(("Add measure", lambda: self.add_measure(net, site)))
        if node.kind == "group" and node.group == "meetings":
            actions.append(("New meeting…", lambda: self.new_meeting(net, site)))
        if node.kind == "meeting" and node.id:
            meeting = node.id
            actions.append(("Build packet…", lambda: self.build_packet(meeting)))
        if node.id and node.kind not in ("network", "charter"):
            actions.append(("Delete", lambda: self.delete_node(node)))
        return actions

    def new_meeting(self, network_id: str, site_id: str | None) -> None:
        from ...store.ops.meetings import new_meeting

        title, ok = QInputDialog.getText(self._parent, "New meeting", "Title:",
                                         text="Team meeting")
        if not ok or not title.strip():
            return
        result = self._shell.runner.run(new_meeting, self._open(), network_id, site_id,
                                        title.strip())
        if result is not None:
            self._shell.refresh_navigator()
            self._shell.select_record("meeting", result.id)  # the first record made

    def build_packet(self, meeting_id: str) -> None:
        from ..meetings.packet_dialog import PacketDialog

        PacketDialog(self._parent, meeting_id).exec()

    def export_bundle(self) -> None:
        from ..exchange.export import export_for_network

        export_for_network(self._window)

    def invite_site(self) -> None:
        from ..exchange.enrol import invite_site

        if self.workspace is not None:
            invite_site(self._window)

    def enrol_site_key(self) -> None:
        from ..exchange.enrol import enrol_site_key

        if self.workspace is not None:
            enrol_site_key(self._window)

    def request_to_join(self) -> None:
        from ..exchange.join import request_to_join

        request_to_join(self._window)

    def enrol_from_request(self) -> None:
        from ..exchange.enrol import enrol_from_request

        if self.workspace is not None:
            enrol_from_request(self._window)

    def install_membership_actions(self) -> None:
        """Network → Request to join… and Enrol a school from a join request…, placed
        around the coordinator's Invite and Enrol items (once; safe to call again)."""
        if self.act_request_join is not None:
            return
        from PySide6.QtGui import QAction

        menu = next((m for a in self._window.menuBar().actions()
                     if isinstance(m := a.menu(), QMenu)
                     and a.text().replace("&", "") == "Network"), None)
        if menu is None:
            return

        def action(text: str, slot: Callable[[], None], tip: str) -> QAction:
            act = QAction(text, self._parent)
            act.setToolTip(tip)
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            return act

        self.act_request_join = action(
            "&Request to join…", self.request_to_join,
            "School: make this computer's key and a join request file for the coordinator")
        self.act_enrol_request = action(
            "Enrol a school from a &join request…", self.enrol_from_request,
            "Coordinator: compare a school's code, enrol its key, then invite it")
        items = menu.actions()
        invite = next((a for a in items if a.text().replace("&", "").startswith("Invite")),
                      None)
        enrol = next((a for a in items if a.text().replace("&", "").startswith("Enrol a Site")),
                     None)
        if invite is not None:
            menu.insertAction(invite, self.act_request_join)
            menu.insertSeparator(invite)
        else:
            menu.addAction(self.act_request_join)
        after = items[items.index(enrol) + 1] if enrol is not None and \
            items.index(enrol) + 1 < len(items) else None
        if after is not None:
            menu.insertAction(after, self.act_enrol_request)
        else:
            menu.addAction(self.act_enrol_request)

    def join_network(self) -> None:
        from ..exchange.join import join_network

        join_network(self._window)

    def import_bundles(self, paths: list[str] | None = None) -> None:
        from ..exchange.imports import import_bundles

        # a menu or toolbar click passes QAction's "checked" flag here: that is no list
        import_bundles(self._window, paths if isinstance(paths, list) else None)

    def show_conflicts(self) -> None:
        from ..exchange.conflicts import ConflictsDialog

        if self.workspace is not None:
            self.last_dialog = ConflictsDialog(self._window)
            self.last_dialog.exec()

    def new_initiative(self) -> None:
        """File → New Initiative From…: the new file opens here once written."""
        from .initiative import NewInitiativeDialog

        dialog = NewInitiativeDialog(self._parent, self.workspace)
        self.last_dialog = dialog
        if dialog.exec() and dialog.started is not None \
                and self._window.open_workspace(str(dialog.started)):
            self._window.statusBar().showMessage(
                f"Started {dialog.name.text().strip()} in {dialog.started.name}. To "
                "exchange, invite each site and enrol its key (Network menu).")

    def show_history(self) -> None:
        from ..exchange.conflicts import HistoryDialog

        if self.workspace is not None:
            self.last_dialog = HistoryDialog(self._window)
            self.last_dialog.exec()
