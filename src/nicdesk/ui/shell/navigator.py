"""The navigator tree: Network → Charter, groups, Sites (nested) → each site's groups.

It is rebuilt from `store.queries.navigator_tree` after every operation; expansion and
the selection are kept by a stable key, so a rebuild is invisible to the person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeWidget, QTreeWidgetItem

from ...core.safe_text import html_text, shorten

if TYPE_CHECKING:
    from collections.abc import Callable

    from ...store.views.nav_tree import NavNode
    from .context import ContextAction, NodeKey

ROLE = Qt.ItemDataRole.UserRole
LABEL_LIMIT = 200  # a label is one name: shown shortened, in full (up to 1,000) as tooltip


def node_key(node: NavNode) -> NodeKey:
    return (node.kind, node.id, node.site_id, node.group, node.network_id)


class Navigator(QTreeWidget):
    selected = Signal(object)  # NavNode
    delete_requested = Signal(object)
    #: the context menu's entries for an item (set by the window)
    context_actions: Callable[[NavNode], list[ContextAction]] | None = None

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("navigator")
        self.setAccessibleName("Navigator")
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.currentItemChanged.connect(self._current)
        self._items: dict[tuple[Any, ...], QTreeWidgetItem] = {}
        self._rebuilding = False

    def populate(self, roots: list[NavNode]) -> None:
        expanded = {k for k, item in self._items.items() if item.isExpanded()}
        first = not self._items
        current = self.current_node()
        self._rebuilding = True
        self.clear()
        self._items = {}
        self._expand: list[QTreeWidgetItem] = []
        for root in roots:
            self.addTopLevelItem(self._item(root, expanded, first, depth=0))
        for item in self._expand:  # only items inside the tree can be expanded
            item.setExpanded(True)
        if current is not None:
            self.select_key(node_key(current), emit=False)
        self._rebuilding = False

    def _item(self, node: NavNode, expanded: set[Any], first: bool, depth: int) -> QTreeWidgetItem:
        item = QTreeWidgetItem([shorten(node.label, LABEL_LIMIT)])
        item.setData(0, ROLE, node)
        item.setToolTip(0, html_text(shorten(node.label, 1000)))  # never read as markup
        key = node_key(node)
        self._items[key] = item
        for child in node.children:
            item.addChild(self._item(child, expanded, first, depth + 1))
        if key in expanded or (first and node.kind in ("network", "sites")):
            self._expand.append(item)
        return item

    def current_node(self) -> NavNode | None:
        item = self.currentItem()
        return item.data(0, ROLE) if item is not None else None

    def select_key(self, key: NodeKey, *, emit: bool = True) -> bool:
        item = self._items.get(key)
        if item is None:
            return False
        parent = item.parent()
        while parent is not None:
            parent.setExpanded(True)
            parent = parent.parent()
        if not emit:
            self.blockSignals(True)
        self.setCurrentItem(item)
        self.blockSignals(False)
        self.scrollToItem(item)
        return True

    def select_record(self, kind: str, record_id: str, site_id: str | None = None, *,
                      emit: bool = True) -> bool:
        """Select a record's item (with `site_id`: the one seen at that site)."""
        key = next((k for k in self._items if k[0] == kind and k[1] == record_id
                    and (site_id is None or k[2] == site_id)), None)
        return key is not None and self.select_key(key, emit=emit)

    def _current(self, item: QTreeWidgetItem | None, _prev: Any) -> None:
        if item is not None and not self._rebuilding:
            self.selected.emit(item.data(0, ROLE))

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Delete:
            node = self.current_node()
            if node is not None and node.id:
                self.delete_requested.emit(node)
                return
        super().keyPressEvent(event)

    def _menu(self, pos: Any) -> None:
        item = self.itemAt(pos)
        if item is None or self.context_actions is None:
            return
        node = item.data(0, ROLE)
        actions = self.context_actions(node)
        if not actions:
            return
        menu = QMenu(self)
        for label, callback in actions:
            menu.addAction(label, callback)
        menu.exec(self.viewport().mapToGlobal(pos))
