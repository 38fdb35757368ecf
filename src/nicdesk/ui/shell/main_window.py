"""The main window: menus, navigator, editor area, details dock, status bar.

The shell is built from Qt alone so it can paint before the store (SQLAlchemy) is even
imported; `open_workspace` loads the data afterwards.  Every change goes through
`OpRunner`, and one slot (`_changed`) redraws what an operation touched.

The window owns two helpers rather than inheriting them: `PageHost` (pages.py: which page
shows, built on first use) and `WindowCommands` (actions.py: create, delete, share).
Pages get a `WindowContext`, the window's `ShellContext`, never the window itself.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QPaintEvent,
    QShowEvent,
    QTextOption,
)
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QWidget,
)

from .actions import WindowCommands
from .context import NodeKey
from .navigator import Navigator
from .pages import PageHost
from .runner import OpRunner, show_error

if TYPE_CHECKING:
    from ...store.file_lock import FileLock
    from ...store.operations import OpChanges
    from ...store.views.nav_tree import NavNode
    from ...store.workspace import Workspace
    from ..walkthrough.panel import Walkthrough
    from .single_instance import InstanceServer

MAX_RECENT = 8
NAVIGATOR_MIN_WIDTH = 180


def settings() -> QSettings:
    """Settings beside the data (so NICDESK_DATA_DIR isolates tests and portable use)."""
    from ...paths import data_dir

    return QSettings(str(data_dir() / "settings.ini"), QSettings.Format.IniFormat)


class WindowContext:
    """The main window's `ShellContext`: what its pages may use of it, and nothing more."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    @property
    def workspace(self) -> Workspace | None:
        return self._window.workspace

    @property
    def runner(self) -> OpRunner:
        return self._window.runner

    def show_status(self, message: str, timeout_ms: int = 0) -> None:
        self._window.statusBar().showMessage(message, timeout_ms)

    def notify_external_change(self, label: str, changes: OpChanges | None = None) -> None:
        self._window.notify_external_change(label, changes)

    def refresh_navigator(self) -> None:
        self._window.pages.refresh_navigator()

    def select_key(self, key: NodeKey) -> bool:
        return self._window.navigator.select_key(key)

    def select_record(self, kind: str, record_id: str, site_id: str | None = None) -> bool:
        return self._window.navigator.select_record(kind, record_id, site_id)

    def show_node(self, node: NavNode) -> None:
        self._window.pages.show_node(node)

    def open_cycle(self, cycle_id: str) -> None:
        self._window.pages.open_cycle(cycle_id)

    def add_site(self, network_id: str | None, parent_id: str | None) -> str | None:
        return self._window.commands.add_site(network_id, parent_id)

    def add_aim(self, network_id: str, site_id: str | None) -> None:
        self._window.commands.add_aim(network_id, site_id)

    def build_packet(self, meeting_id: str) -> None:
        self._window.commands.build_packet(meeting_id)

    def new_cycle(self, site_id: str | None, network_id: str | None, *,
                  change_idea_id: str | None = None, node_id: str | None = None) -> str | None:
        return self._window.commands.new_cycle(site_id, network_id,
                                               change_idea_id=change_idea_id, node_id=node_id)


class MainWindow(QMainWindow):
    first_painted = Signal()
    #: the navigator and the first page show (from the first look, or the open workspace)
    first_screen = Signal()
    workspace_loaded = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.workspace: Workspace | None = None
        self.runner = OpRunner(self)
        self.runner.changed.connect(self._changed)
        self.runner.failed.connect(self._invalid)
        self._painted = False
        self._split_placed = False  # the navigator's width, restored or set when first shown
        self.persist_settings = True  # off for screenshots and tests of other files
        self.last_dialog: QWidget | None = None  # kept alive (and findable) while shown
        self.progress_dialog: QWidget | None = None  # set by the bundle import
        self.last_undo_note = ""
        self.instance_server: InstanceServer | None = None  # set by app.run_app
        self.looking = False  # the first screen shows a first look; the workspace opens next
        self._walkthrough: Walkthrough | None = None  # built right after the first paint
        self.first_painted.connect(lambda: QTimer.singleShot(0, lambda: self.walkthrough))
        self.context = WindowContext(self)
        self.navigator = Navigator()
        self.commands = WindowCommands(self, self.context, self.navigator)
        self.act_request_join: QAction | None = None
        self.act_enrol_request: QAction | None = None
        self.setWindowTitle("NICdesk")
        from ..common.icons import app_icon

        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setMinimumSize(960, 600)
        self._build_actions()
        self._build_menus()
        self._build_body()
        self._restore_geometry()

    # ------------------------------------------------------------------ construction
    def _action(self, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text.replace("&", "").rstrip("…"))
        action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.act_new = self._action("&New Workspace…", self.new_workspace, K.New,
                                    "Start an empty workspace file")
        self.act_new_initiative = self._action(
            "New &Initiative From…", self.commands.new_initiative,
            tip="Start the next initiative in a new file, with the structure of a network "
            "or of a starter template")
        self.act_open = self._action("&Open…", self.choose_workspace, K.Open,
                                     "Open a .nicdesk workspace file")
        self.act_close = self._action("&Close", self.close_workspace, K.Close,
                                      "Close this workspace (everything is already saved)")
        self.act_quit = self._action("&Quit", self.close, K.Quit, "Quit NICdesk")
        self.act_undo = self._action("&Undo", self.undo, K.Undo, "Undo the last change")
        self.act_redo = self._action("&Redo", self.redo, K.Redo, "Redo the change just undone")
        self.act_delete = self._action("&Delete", self.commands.delete_selected, K.Delete,
                                       "Delete the selected item (Undo brings it back)")
        self.act_delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_add_site = self._action("Add &Site…", lambda: self.commands.add_site(None, None),
                                         tip="Add a school, district or agency")
        self.act_about = self._action("&About NICdesk", self.about, tip="About NICdesk")
        self.act_join = self._action("&Join a Network…", self.commands.join_network,
                                     tip="Start your site's workspace from the "
                                     "coordinator's invitation file")
        self.act_export = self._action("&Export for the Network…", self.commands.export_bundle,
                                       tip="Write a signed bundle of this site's records")
        self.act_import = self._action("&Import Bundles…", self.commands.import_bundles,
                                       tip="Verify and merge bundles from sites or the "
                                       "coordinator")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.act_new)
        file_menu.addAction(self.act_new_initiative)
        file_menu.addAction(self.act_open)
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.act_join)
        file_menu.addAction(self.act_import)
        file_menu.addAction(self.act_export)
        file_menu.addSeparator()
        file_menu.addAction(self.act_close)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.act_undo)
        edit.addAction(self.act_redo)
        edit.addSeparator()
        edit.addAction(self.act_delete)
        self.view_menu = bar.addMenu("&View")
        net = bar.addMenu("&Network")
        net.addAction(self.act_add_site)
        net.addSeparator()
        self.act_invite = self._action("&Invite a Site…", self.commands.invite_site,
                                       tip="Coordinator: an invitation file for a site to join")
        net.addAction(self.act_invite)
        self.act_enrol = self._action("&Enrol a Site's Key…", self.commands.enrol_site_key,
                                      tip="Coordinator: accept a site's public key")
        net.addAction(self.act_enrol)
        net.addSeparator()
        net.addAction(self._action("&Conflicts…", self.commands.show_conflicts,
                                   tip="Edits made at the same time on two computers"))
        net.addAction(self._action("Bundle &History…", self.commands.show_history,
                                   tip="Bundles imported into this workspace"))
        help_menu = bar.addMenu("&Help")
        self.act_data_folder = self._action("Open &Data Folder", self.open_data_folder,
                                            tip="Where NICdesk keeps the sample, settings "
                                            "and logs")
        help_menu.addAction(self.act_data_folder)
        help_menu.addSeparator()
        help_menu.addAction(self.act_about)
        # Network → Request to join…, Enrol from a request
        self.commands.install_membership_actions()
        self.act_request_join = self.commands.act_request_join
        self.act_enrol_request = self.commands.act_enrol_request
        # PDSA → New PDSA cycle (Ctrl+Shift+P), for the page in front
        self.commands.install_pdsa_menu(help_menu.menuAction(),
                                        lambda: self.stack.currentWidget())
        self.act_new_cycle = self.commands.act_new_cycle
        from ..common.icons import action_icon

        for action, name in ((self.act_new, "new"), (self.act_open, "open"),
                             (self.act_undo, "undo"), (self.act_redo, "redo"),
                             (self.act_import, "import"), (self.act_export, "export"),
                             (self.act_about, "help"), (self.act_data_folder, "folder"),
                             (self.act_join, "network")):
            action.setIcon(action_icon(name))
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for tool in (self.act_new, self.act_open, None, self.act_undo, self.act_redo, None,
                     self.act_import, self.act_export):
            if tool is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(tool)
        self.view_menu.addAction(toolbar.toggleViewAction())
        self._help_places = (help_menu, toolbar)
        # the Help entries after the first paint (~7 ms of enums and font metrics), or as
        # soon as a workspace or its first look shows, whichever comes first
        self.first_painted.connect(lambda: QTimer.singleShot(0, self.install_help))

    def install_help(self) -> None:
        """Help → Guide, Help on This Page (F1) and the toolbar's "?" (the page in front's
        guide): once; the "?" sits alone at the toolbar's right end, so adding it after the
        first paint moves nothing else."""
        help_menu, toolbar = self._help_places
        if self.commands.act_guide is not None:
            return
        self.commands.install_help(help_menu, toolbar, lambda: self.pages.guide_slug())
        layout = toolbar.layout()
        if toolbar.isVisible() and layout is not None:  # the "?" shows now, not on the
            layout.activate()  # toolbar's next layout pass (what follows may look at it)

    def _build_body(self) -> None:
        from PySide6.QtWidgets import QDockWidget

        self.navigator.delete_requested.connect(self.commands.delete_node)
        self.navigator.context_actions = self.commands.context_actions
        self.navigator.addAction(self.act_delete)
        self.stack = QStackedWidget()
        self.empty = QLabel("No workspace is open.\n\nUse File → Open to open a .nicdesk file, "
                            "or File → New to start one.\nYou can also drop a .nicdesk file "
                            "on this window.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.empty)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.navigator.setMinimumWidth(NAVIGATOR_MIN_WIDTH)
        self.stack.setMinimumWidth(560)
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(self.stack)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([250, 1000])
        self.setCentralWidget(self.splitter)
        self.details = QTextBrowser()
        self.details.setObjectName("details")
        # a record id has no spaces: it wraps anywhere rather than widening the pane
        self.details.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        dock = QDockWidget("Details", self)
        dock.setObjectName("detailsDock")
        dock.setWidget(self.details)
        dock.setMinimumWidth(180)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.resizeDocks([dock], [240], Qt.Orientation.Horizontal)
        dock.hide()  # collapsed until a person asks for it (View → Details)
        self.details_dock = dock
        self.pages = PageHost(self.context, self.navigator, self.stack, self.details,
                              self.commands.context_actions, self._page_settings)
        self.navigator.selected.connect(self.pages.show_node)
        nav_toggle = QAction("&Navigator", self, checkable=True, checked=True)
        nav_toggle.setStatusTip("Show or hide the navigator")
        nav_toggle.toggled.connect(self.navigator.setVisible)
        self.view_menu.addAction(nav_toggle)
        details_toggle = dock.toggleViewAction()
        details_toggle.setText("&Details")
        details_toggle.setStatusTip("Show or hide the details pane (owner, last change)")
        self.view_menu.addAction(details_toggle)
        self.saved_label = QLabel()
        self.site_label = QLabel()
        self.export_label = QLabel()
        for label in (self.saved_label, self.site_label, self.export_label):
            self.statusBar().addPermanentWidget(label)
        self._update_actions()

    @property
    def walkthrough(self) -> Walkthrough:
        """Help → Guided First Cycle and its dock: built on first use, or on the turn after
        the first paint (not before it: start-up time)."""
        if self._walkthrough is None:
            from ..walkthrough.panel import Walkthrough

            self.install_help()  # its Help entry goes above the guide's: the guide's first

            self._walkthrough = Walkthrough(self)
            if self.workspace is not None:
                self._walkthrough.sync()
        return self._walkthrough

    def _page_settings(self) -> QSettings | None:
        """Where pages keep their splitter positions (None for screenshots and tests that
        leave the person's settings alone)."""
        return settings() if self.persist_settings else None

    # ------------------------------------------------------------------ painting hooks
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._split_placed:  # first shown: the navigator's share of this width
            self._split_placed = True
            navigator = max(NAVIGATOR_MIN_WIDTH, min(260, round(self.width() * 0.17)))
            self.splitter.setSizes([navigator, max(1, self.width() - navigator)])

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    # ------------------------------------------------------------------ workspace
    def show_first_look(self, path: Path, *, picture: bool = False) -> FileLock | None:
        """Fill the navigator and the first form from a read-only look at `path` (plain
        sqlite3: `store.first_look`), before SQLAlchemy loads.  Returns the file's lock,
        held, for `open_workspace` on the next turn; None when the file is not one the
        look answers for (the ordinary open then decides and explains).

        The window's actions stay off until the workspace is open (they need it); for a
        `picture` (`nicdesk screenshot`: nothing will run them) they show as the open
        workspace shows them, and no "Opening…" message."""
        from ...store.first_look import FirstLook

        self.install_help()  # the first screen is whole (a no-op once installed)

        look = FirstLook.take(path)
        if look is None:
            return None
        try:
            meta = look.meta()
            if picture and meta.get("walkthrough") == "on":  # its dock shows once open (the
                look.close()  # store reads its steps): the picture comes from the open
                return None
            tree = look.navigator()
            local = meta.get("local_site_id")
            self.navigator.populate(tree)
            if not (local and self.navigator.select_record("site", local, emit=False)):
                first = self.navigator.topLevelItem(0)
                if first is not None:
                    self.navigator.blockSignals(True)
                    self.navigator.setCurrentItem(first)
                    self.navigator.blockSignals(False)
            node = self.navigator.current_node()
            if node is not None:
                self.pages.show_first_look(node, look)
            self._show_status(meta, look.site_name(local) if local else None)
        except Exception:  # noqa: BLE001 - any surprise in a file: the ordinary open explains
            look.close()
            self._drop_first_look()
            return None
        from ...core.safe_text import isolate

        self.setWindowTitle(f"{isolate(path.name)} — NICdesk")
        if picture:
            self._enable_actions(meta)
        else:  # cleared when the workspace is open
            self.statusBar().showMessage(f"Opening {path.name}…")
        self.looking = True
        self.first_screen.emit()
        return look.take_lock()

    def open_workspace(self, path: str | os.PathLike[str], *, quiet: bool = False,
                       lock: FileLock | None = None) -> bool:
        """Open `path` (file or database URL); `lock`: the file's lock, already taken by
        `show_first_look`.  False (after saying why, unless `quiet`) if it cannot."""
        self.install_help()  # the screen a workspace shows is whole (a no-op once installed)
        from ...paths import is_database_url
        from ...store.errors import WorkspaceError
        from ...store.workspace import Workspace

        target = path if is_database_url(path) else Path(path)
        looked = self.looking
        try:
            ws = Workspace.open(target, lock=lock)
        except WorkspaceError as exc:
            if looked:  # what the first look showed is not what opens: forget it, and say
                self._drop_first_look()  # why even where a refusal is otherwise quiet
            if not quiet or looked:
                show_error(self, exc.title, exc.message)
            return False
        try:
            self._set_workspace(ws)
        except Exception as exc:  # noqa: BLE001 - a value no screen can show: say so, close
            self.workspace = None
            ws.close()
            self._drop_first_look()
            show_error(self, "Cannot show this workspace",
                       f"NICdesk opened {Path(str(path)).name} but could not show what it "
                       f"holds ({type(exc).__name__}: {str(exc)[:200]}). A stored value may be "
                       "damaged. Nothing was changed; open a backup copy (the newest .bak "
                       "file beside it), and please report this.")
            return False
        if ws.warnings:  # opened, but the person should know (a -wal set aside, say);
            # shown even when `quiet`, which only keeps refusals to the caller
            box = QMessageBox(QMessageBox.Icon.Warning, "Workspace opened with a warning",
                              "\n\n".join(ws.warnings), QMessageBox.StandardButton.Ok, self)
            box.setTextFormat(Qt.TextFormat.PlainText)  # file names are not markup
            box.setWindowModality(Qt.WindowModality.NonModal)
            self.last_dialog = box
            box.show()  # not exec(): the workspace is open and usable behind it
            self.statusBar().showMessage(" ".join(ws.warnings))
        return True

    def _drop_first_look(self) -> None:
        """Clear whatever a first look or a half-shown workspace put on screen."""
        self.looking = False
        self.statusBar().clearMessage()  # "Opening …"
        self.pages.end_first_look()
        self.close_workspace(force=True)

    def _set_workspace(self, ws: Workspace) -> None:
        looked, self.looking = self.looking, False
        if looked:
            self.statusBar().clearMessage()  # "Opening …"
            self.pages.end_first_look()
        self.close_workspace()
        self.workspace = ws
        server = getattr(ws, "url", None)
        from ...core.safe_text import isolate  # a right-to-left name cannot reorder the title

        # Qt adds the application's name after a title unless the title already ends
        # with it: "file — NICdesk" is shown as it is, the name said once
        self.setWindowTitle(f"{isolate(server or ws.path.name)} — NICdesk")
        if server is None:
            self.setWindowFilePath(str(ws.path))
        if self.persist_settings and server is None:  # a URL may carry a password
            self._remember_recent(ws.path)
        self.pages.refresh_navigator()
        kept = self.navigator.current_node() if looked else None
        if kept is not None:  # after the first look: what the person sees (or chose) stays
            self.pages.show_node(kept)
        # the first page is this workspace's own site (a school opens on the school)
        elif not ((local := ws.meta().get("local_site_id"))
                  and self.navigator.select_record("site", local)):
            first = self.navigator.topLevelItem(0)
            if first is not None:
                self.navigator.setCurrentItem(first)
        self._update_status()
        self._update_actions()
        if not looked:
            self.first_screen.emit()
        self.workspace_loaded.emit()

    def close_workspace(self, *, force: bool = False) -> None:
        """Close the open workspace (`force`: clear the screen even when none is open, e.g.
        what a first look showed)."""
        if self.workspace is None and not force:
            return
        from ..common.fields import save_typing

        save_typing()  # the last second typed into a text is stored before it closes
        if self.workspace is not None:
            self.workspace.close()
        self.workspace = None
        self.navigator.populate([])
        self.stack.setCurrentWidget(self.empty)
        self.details.clear()
        if self._walkthrough is not None:  # no workspace: the walkthrough's panel goes
            self._walkthrough.refresh()
        self.setWindowTitle("NICdesk")
        self._update_status()
        self._update_actions()

    def new_workspace(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # not before the first paint (its enums)

        from ...paths import data_dir
        from ...services.workspaces import create_workspace
        from ...store.errors import WorkspaceError

        name, _ = QFileDialog.getSaveFileName(self, "New workspace", str(data_dir()),
                                              "NICdesk workspaces (*.nicdesk)")
        if not name:
            return
        path = Path(name if name.endswith(".nicdesk") else name + ".nicdesk")
        try:
            ws = create_workspace(path, path.stem)
        except WorkspaceError as exc:
            show_error(self, exc.title, exc.message)
            return
        self._set_workspace(ws)

    def choose_workspace(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        start = str(self.workspace.path.parent) if self.workspace else ""
        name, _ = QFileDialog.getOpenFileName(self, "Open workspace", start,
                                              "NICdesk workspaces (*.nicdesk);;All files (*)")
        if name:
            self.open_workspace(name)

    # ------------------------------------------------------------------ recent files
    def recent_files(self) -> list[str]:
        value = settings().value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value if isinstance(value, list) else []) if v]

    def _remember_recent(self, path: Path) -> None:
        items = [str(path.resolve())] + [p for p in self.recent_files()
                                         if p != str(path.resolve())]
        settings().setValue("recent", items[:MAX_RECENT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = [p for p in self.recent_files() if Path(p).exists()]
        if not files:
            self.recent_menu.addAction("(no recent workspaces)").setEnabled(False)
        for p in files:
            self.recent_menu.addAction(Path(p).name, partial(self.open_workspace, p)
                                       ).setStatusTip(p)

    # ------------------------------------------------------------------ navigation
    def select_path(self, path: str) -> bool:
        """Select a navigator item by its labels, e.g. "Lincoln High School/Aims"."""
        return self.pages.select_path(path)

    def open_paths(self, paths: list[str]) -> None:
        """Files handed over by a drop, a double-click in the file manager or a second
        launch: a workspace opens; bundles are imported (an invitation, with no workspace
        open, starts the join); a school's join request opens the coordinator's
        enrolment."""
        self.showNormal() if self.isMinimized() else self.show()
        self.raise_()
        self.activateWindow()
        bundles = [p for p in paths if p.lower().endswith(".nicbundle")]
        workspaces = [p for p in paths if p.lower().endswith(".nicdesk")]
        if workspaces:
            self.open_workspace(workspaces[0])
        if bundles and self.workspace is not None:
            self.commands.import_bundles(bundles)
        elif bundles:
            from ..exchange.join import join_network

            join_network(self, bundles[0])
        requests = [p for p in paths if p.lower().endswith(".nicjoin")]
        if requests and self.workspace is not None:
            from ..exchange.enrol import enrol_from_request

            enrol_from_request(self, requests[0])

    # ------------------------------------------------------------------ operations
    def _changed(self, changes: OpChanges) -> None:
        self.pages.refresh_navigator()
        self.pages.reload_current()
        if self._walkthrough is not None:  # ticks a step whose records are now stored
            self._walkthrough.refresh()
        self._update_status()
        self._update_actions()
        self.statusBar().showMessage(f"Saved: {changes.label}", 4000)

    def notify_external_change(self, label: str, changes: OpChanges | None = None) -> None:
        """Redraw after an operation run outside the runner (a bundle or CSV import),
        from what it changed when known."""
        from ...store.operations import OpChanges

        self._changed(changes if changes is not None else OpChanges(label))

    def _invalid(self, message: str) -> None:
        if not self.pages.show_problem(message):
            show_error(self, "Change not saved", message)

    def undo(self) -> None:
        if self.workspace is not None:
            self._tell(self.runner.run(self.workspace.ops.undo))

    def redo(self) -> None:
        if self.workspace is not None:
            self._tell(self.runner.run(self.workspace.ops.redo))

    def _tell(self, changes: object) -> None:
        """Say in plain words what an undo or redo left alone (a newer change it did not
        make, e.g. one that arrived in a bundle since)."""
        notes = getattr(changes, "notes", ())
        if notes:
            self.last_undo_note = " ".join(notes)
            self.statusBar().showMessage(self.last_undo_note, 20000)

    # ------------------------------------------------------------------ status
    def _update_actions(self) -> None:
        ws = self.workspace
        if ws is None:
            self._enable_actions(None)
            return
        self._enable_actions(ws.meta(), *ws.ops.undo_status())

    def _enable_actions(self, meta: dict[str, str] | None, undo: str | None = None,
                        redo: str | None = None) -> None:
        """Enable what works in a workspace with this `meta` (None: none is open)."""
        has = meta is not None
        for action in (self.act_close, self.act_delete, self.act_add_site, self.act_import,
                       self.act_export, self.act_invite, self.act_enrol, self.act_enrol_request,
                       self.act_request_join):
            if action is not None:
                action.setEnabled(has)
        if meta is None:  # nothing to undo and nobody to coordinate (and no rules to load
            self.act_undo.setEnabled(False)  # before the first paint)
            self.act_undo.setText("&Undo")
            self.act_redo.setEnabled(False)
            self.act_redo.setText("&Redo")
            return
        from ...core.entities import in_sentence  # "Undo add site", not "Undo Add site"

        self.act_undo.setEnabled(bool(undo))
        self.act_undo.setText(f"&Undo {in_sentence(undo)}" if undo else "&Undo")
        self.act_redo.setEnabled(bool(redo))
        self.act_redo.setText(f"&Redo {in_sentence(redo)}" if redo else "&Redo")
        # coordinator's actions only where they can work: the coordinator's workspace, or a
        # standalone one (a school in a network cannot add sites or enrol keys)
        from ...core.authority import binds, is_coordinator

        coordinator = is_coordinator(meta) or not binds(meta)
        for coordinating in (self.act_add_site, self.act_invite, self.act_enrol,
                             self.act_enrol_request):
            if coordinating is not None:
                coordinating.setEnabled(coordinator)
        if self.act_request_join is not None:
            self.act_request_join.setEnabled(not is_coordinator(meta))

    def _update_status(self) -> None:
        if self.workspace is None:
            self.saved_label.setText("")
            self.site_label.setText("")
            self.export_label.setText("")
            return
        meta = self.workspace.meta()
        site = None
        if meta.get("local_site_id"):
            from ...store.views.records import site_name

            site = site_name(self.workspace, meta["local_site_id"])
        self._show_status(meta, site)

    def _show_status(self, meta: dict[str, str], site: str | None) -> None:
        """The status bar's permanent labels for a workspace with this `meta` whose own
        site is called `site` (from the workspace, or from its first look)."""
        self.saved_label.setText("All changes saved ✓")
        self.saved_label.setToolTip("NICdesk saves every change as you make it")
        self.site_label.setText(f"Site: {site if site is not None else '—'}")
        self.export_label.setText(
            "Last bundle exported: " + (meta.get("last_export") or "never"))

    def about_text(self) -> str:
        from ... import __version__
        from ...logs import log_path
        from ...paths import data_dir

        where = self.workspace.path if self.workspace else "no workspace open"
        return (f"<b>NICdesk {__version__}</b><p>A workbench for networked improvement "
                "communities: fishbones, driver diagrams, PDSA cycles and run charts, "
                "network views and meeting packets, shared as signed bundles.</p>"
                f"<p><b>Workspace:</b> {where}<br><b>Data folder:</b> {data_dir()}<br>"
                f"<b>Log file:</b> {log_path()}</p>"
                "<p>Licence: MIT. Fonts in PDFs: DejaVu Sans (Bitstream Vera licence). "
                "Icons: drawn for NICdesk (MIT). Built with Qt for Python (LGPL), "
                "SQLAlchemy, Alembic, pyqtgraph, reportlab, cryptography.</p>")

    def about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, "About NICdesk", self.about_text(),
                          QMessageBox.StandardButton.Ok, self)
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last_dialog = box
        box.exec()

    def open_data_folder(self) -> bool:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from ...paths import data_dir

        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(data_dir())))

    # ------------------------------------------------------------------ window state
    def _restore_geometry(self) -> None:
        s = settings()
        geometry = s.value("geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        state = s.value("windowState")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state)
        split = s.value("splitter")
        if isinstance(split, QByteArray | bytes):
            self._split_placed = self.splitter.restoreState(split)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.persist_settings:
            s = settings()
            s.setValue("geometry", self.saveGeometry())
            s.setValue("windowState", self.saveState())
            s.setValue("splitter", self.splitter.saveState())
            s.sync()
        self.close_workspace()
        super().closeEvent(event)

    # ------------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if urls and urls[0].toLocalFile().endswith((".nicdesk", ".nicbundle")):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        """A workspace opens; bundles (any number, any order) are imported."""
        self.open_paths([u.toLocalFile() for u in event.mimeData().urls()])
        event.acceptProposedAction()


def central_widget_of(window: MainWindow) -> QWidget | None:
    return window.stack.currentWidget()
