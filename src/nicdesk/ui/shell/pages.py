"""Which page shows for a navigator item, and the host that builds and shows it.

`PAGES` is the one registry: navigator item kind → where its page class lives and how an
item binds it.  It is also the only place that imports page modules, each on first use,
so pyqtgraph and the diagram scene load when a measure or a diagram is first shown, not
at start-up (the start-up benchmark and `tests/ui/test_shell_pages.py` rely on that).

`PageHost` is owned by the main window: it builds each page once (handing it the
`ShellContext`, never the window), switches the editor stack, redraws after a change and
fills the details pane.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from typing import TYPE_CHECKING, Any

from .navigator import node_key

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QStackedWidget, QTextBrowser, QWidget

    from ...store.first_look import FirstLook
    from ...store.views.nav_tree import NavNode
    from ...store.workspace import Workspace
    from .context import ContextAction, ShellContext
    from .navigator import Navigator

#: how a navigator item binds its page (pages differ in what they need: an id, a site…)
Binder = Callable[[Any, "NavNode"], None]  # Any: the page class is known once imported


def _by_id(page: Any, node: NavNode) -> None:
    page.bind(node.id)


def _by_id_at_site(page: Any, node: NavNode) -> None:
    page.bind(node.id, node.site_id)


def _by_network(page: Any, node: NavNode) -> None:
    page.bind(node.network_id)


def _by_place(page: Any, node: NavNode) -> None:
    page.bind(node.site_id, node.network_id)


@dataclass(frozen=True)
class PageSpec:
    """Where a page class lives (imported on first use) and how an item binds it."""

    module: str  # relative to this package, as for `importlib.import_module`
    name: str
    bind: Binder = _by_id_at_site
    #: editors lay out to their size, so they are shown before they are bound
    show_first: bool = False
    #: the guide page F1 and the toolbar's "?" open on this page (`nicdesk.guide.PAGES`)
    guide: str = "start"

    def load(self) -> Callable[..., QWidget]:
        """The page class, its module imported the first time it is asked for."""
        cls: Callable[..., QWidget] = getattr(import_module(self.module, __package__),
                                              self.name)
        return cls


#: key for the PDSA cycles list (a "group" item, so not a record kind)
PDSA_LIST = "pdsa_list"

PAGES: dict[str, PageSpec] = {
    # record forms
    "network": PageSpec("..records.forms", "NetworkForm", guide="nic"),
    "charter": PageSpec("..records.forms", "CharterForm", guide="nic"),
    "site": PageSpec("..records.forms", "SiteForm", guide="nic"),
    "aim": PageSpec("..records.forms", "AimForm", guide="aims"),
    "measure_definition": PageSpec("..records.forms", "MeasureForm", guide="measures"),
    # pages of their own (pyqtgraph, the diagram scene: imported only here, on first use)
    "measure": PageSpec("..measures.page", "MeasurePage", guide="run-charts"),
    "driver_diagram": PageSpec("..diagram.driver", "DriverEditor", _by_id, show_first=True,
                               guide="driver-diagrams"),
    "fishbone": PageSpec("..diagram.fishbone", "FishboneEditor", _by_id, show_first=True,
                         guide="fishbone"),
    "pdsa_cycle": PageSpec("..pdsa.page", "PdsaPage", _by_id, show_first=True, guide="pdsa"),
    "pdsa_ramp": PageSpec("..pdsa.lists", "RampPage", _by_id, show_first=True, guide="pdsa"),
    "meeting": PageSpec("..meetings.page", "MeetingPage", _by_id, show_first=True,
                        guide="meetings"),
    "network_view": PageSpec("..network.view", "NetworkViewPage", _by_network,
                             show_first=True, guide="network-view"),
    PDSA_LIST: PageSpec("..pdsa.lists", "CycleListPage", _by_place, guide="pdsa"),
    # the network's student groups (issue #21)
    "student_groups": PageSpec("..groups.page", "StudentGroupsPage", _by_network,
                               guide="student-groups"),
    # learning routines (issue #22): new comments and mentions; coaching owed and given
    "inbox": PageSpec("..discussion.inbox", "InboxPage", _by_network, guide="discussion"),
    "coaching": PageSpec("..discussion.coaching", "CoachingPage", _by_network,
                         guide="discussion"),
}

#: the guide page of each navigator group's summary (a site's Aims, Fishbones, ...)
GROUP_GUIDES: dict[str, str] = {
    "aims": "aims", "fishbones": "fishbone", "driver_diagrams": "driver-diagrams",
    "pdsa": "pdsa", "measures": "measures", "meetings": "meetings",
}


def guide_for(node: NavNode | None) -> str:
    """The guide page (a slug) for a navigator item: its page's, else its group's; the
    guide's first page for anything else (no workspace, the Sites heading)."""
    if node is None:
        return "start"
    key = page_key(node)
    if key is not None:
        return PAGES[key].guide
    if node.kind == "group":
        return GROUP_GUIDES.get(node.group, "start")
    spec = PAGES.get(node.kind)
    return spec.guide if spec is not None else ("nic" if node.kind == "sites" else "start")

#: every other item: a read-only summary (built without a shell: it only shows HTML)
SUMMARY = PageSpec("..records.summary_view", "SummaryPage")


def page_key(node: NavNode) -> str | None:
    """The `PAGES` key for a navigator item, or None when its summary shows instead."""
    if node.kind == "group":
        return PDSA_LIST if node.group == "pdsa" else None
    if node.kind in ("network_view", "student_groups", "inbox", "coaching"):
        return node.kind if node.network_id else None
    if node.id and node.kind in PAGES and node.kind != PDSA_LIST:
        return node.kind
    return None


class PageHost:
    """Shows the page for a navigator item, each page built once on first use.

    Owned by `MainWindow`; it knows the widgets it fills and the `ShellContext` it hands
    to pages, not the window, so pages cannot reach past that context.
    """

    def __init__(self, shell: ShellContext, navigator: Navigator, stack: QStackedWidget,
                 details: QTextBrowser,
                 context_actions: Callable[[NavNode], list[ContextAction]],
                 settings: Callable[[], QSettings | None] = lambda: None) -> None:
        self._shell = shell
        self._settings = settings
        self._navigator = navigator
        self._stack = stack
        self._details = details
        self._context_actions = context_actions
        self._pages: dict[str, QWidget] = {}
        self._summary: Any = None  # the SummaryPage, once built

    # ------------------------------------------------------------------ navigator
    def refresh_navigator(self) -> None:
        ws = self._shell.workspace
        if ws is None:
            return
        from ...store.views.navigator import navigator

        self._navigator.populate(navigator(ws))

    def select_path(self, path: str) -> bool:
        """Select an item by its labels, e.g. "Lincoln High School/Aims"."""
        from ...store.views.navigator import find_in_navigator

        ws = self._shell.workspace
        if ws is None or not path:
            return False
        node = find_in_navigator(ws, path)
        return node is not None and self._navigator.select_key(node_key(node))

    # ------------------------------------------------------------------ pages
    def page(self, key: str) -> Any:
        """The page for a `PAGES` key, built (and its module imported) on first use.
        Any: each page class has its own `bind`; the registry's binders know them."""
        page = self._pages.get(key)
        if page is None:
            page = self._pages[key] = PAGES[key].load()(self._shell)
            self._stack.addWidget(page)
            self._remember_splitter(key, page)
        return page

    def _remember_splitter(self, key: str, page: QWidget) -> None:
        """A page's splitters (`page.splitters`, or its one `page.splitter`) keep where a
        person left them, per page kind: restored when the page is built, saved whenever
        one is moved."""
        splitters = getattr(page, "splitters", None)
        if splitters is None:
            one = getattr(page, "splitter", None)
            splitters = [one] if one is not None else []
        store = self._settings()
        for index, splitter in enumerate(splitters):
            name = f"splitters/{key}/{splitter.objectName() or index}"
            state = store.value(name) if store is not None else None
            if state is not None and not isinstance(state, str):
                splitter.restoreState(state)
            splitter.splitterMoved.connect(partial(self._save_splitter, name, splitter))

    def _save_splitter(self, name: str, splitter: Any, _pos: int, _index: int) -> None:
        store = self._settings()
        if store is not None:
            store.setValue(name, splitter.saveState())

    def show_node(self, node: NavNode | None) -> None:
        ws = self._shell.workspace
        if node is None or ws is None:
            return
        key = page_key(node)
        if key is None:
            self._show_summary(node, ws)
        else:
            spec = PAGES[key]
            page = self.page(key)
            if spec.show_first:
                self._stack.setCurrentWidget(page)
                spec.bind(page, node)
            else:
                spec.bind(page, node)
                self._stack.setCurrentWidget(page)
        self._show_details(node, ws)

    def show_first_look(self, node: NavNode, look: FirstLook) -> bool:
        """Show a record form filled from the shell's first look (before the workspace
        opens); False where the item's page needs the open workspace (it shows then)."""
        key = page_key(node)
        if key is None or node.id is None or PAGES[key].module != "..records.forms":
            return False
        page = self.page(key)
        record = look.record_view(node.kind, node.id)
        if not page.first_look or record is None or record.deleted:
            return False
        page.show_first_look(record, look, node.site_id)
        self._stack.setCurrentWidget(page)  # the details pane fills once the workspace opens
        return True

    def guide_slug(self) -> str:
        """The guide page for the page in front (F1 and the toolbar's "?")."""
        current = self._stack.currentWidget()
        key = next((k for k, page in self._pages.items() if page is current), None)
        if key is not None:  # a page may name a closer one (a measure's Definition tab)
            closer = getattr(current, "guide_page", None)
            slug = closer() if callable(closer) else None
            return slug if isinstance(slug, str) and slug else PAGES[key].guide
        if current is self._summary:
            return guide_for(self._navigator.current_node())
        return "start"

    def end_first_look(self) -> None:
        """The first look is over (the workspace opened, or the open refused): every form
        it filled takes input again."""
        for page in self._pages.values():
            end = getattr(page, "end_first_look", None)
            if end is not None:
                end()

    def open_cycle(self, cycle_id: str) -> None:
        """Show a PDSA cycle: its navigator item when listed, else the page alone."""
        self.refresh_navigator()
        if not self._navigator.select_record("pdsa_cycle", cycle_id):
            page = self.page("pdsa_cycle")
            page.bind(cycle_id)
            self._stack.setCurrentWidget(page)

    def reload_current(self) -> None:
        """Redraw the page in front after a change (the summary is rebuilt from its item)."""
        current = self._stack.currentWidget()
        if current is not None and hasattr(current, "reload"):
            current.reload()
        elif current is self._summary and self._shell.workspace is not None:
            node = self._navigator.current_node()
            if node is not None:
                self._show_summary(node, self._shell.workspace)

    def show_problem(self, message: str) -> bool:
        """Tell the page in front why a change was refused; False if it cannot say."""
        current = self._stack.currentWidget()
        if current is not None and hasattr(current, "show_problem"):
            current.show_problem(message)
            return True
        return False

    # ------------------------------------------------------------------ summary, details
    def _summary_page(self) -> Any:
        if self._summary is None:
            self._summary = SUMMARY.load()()
            self._stack.addWidget(self._summary)
        return self._summary

    def _show_summary(self, node: NavNode, ws: Workspace) -> None:
        from ...store.views.navigator import summary
        from ...store.views.queries import has_summary

        page = self._summary_page()
        # the module is loaded with the page just above: this only names its functions
        from ..records.summary_view import group_html, summary_html

        if node.id and has_summary(node.kind):
            text = summary_html(summary(ws, node.kind, node.id, node.site_id))
        else:
            text = group_html(node) if node.kind == "group" else (
                f"<h1>{node.label}</h1><p>{len(node.children)} sites. Select one to edit it, "
                "or use Network → Add Site.</p>")
        empty = node.group if node.kind == "group" else node.kind  # "sites" too
        page.show_html(text, [a for a in self._context_actions(node) if a[0] != "Delete"],
                       empty=empty if node.kind in ("group", "sites") and not node.children
                       else None)  # an empty group teaches (common.empty_states)
        self._stack.setCurrentWidget(page)

    def _show_details(self, node: NavNode, ws: Workspace) -> None:
        from ...core.clock import Hlc
        from ...core.model import KIND_LABELS
        from ...store.views.records import is_record_kind, record_facts

        if not node.id or not is_record_kind(node.kind):
            self._details.setHtml(f"<b>{node.label}</b>")
            return
        rec = record_facts(ws, node.kind, node.id)
        if rec is None:
            return
        stamp = Hlc.decode(rec.hlc) if rec.hlc else None
        when = (dt.datetime.fromtimestamp(stamp.wall_ms / 1000).strftime("%Y-%m-%d %H:%M")
                if stamp else "—")
        self._details.setHtml(
            f"<h3>{KIND_LABELS.get(node.kind, node.kind)}</h3>"
            f"<p><b>Owned by:</b> {'this workspace' if rec.owner_name is None else rec.owner_name}"
            "<br>"
            f"<b>Last changed:</b> {when}<br>"
            f"<b>Changed on device:</b> {stamp.device if stamp else '—'}<br>"
            f"<b>Unresolved conflicts:</b> {rec.open_conflicts}</p>"
            f"<p style='color:gray'>Record id<br>{rec.id}</p>"
        )
