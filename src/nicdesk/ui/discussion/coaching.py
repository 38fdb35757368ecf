"""The coordinator's Coaching page: each site's latest cycles with feedback given or
still owed, and the date of the last contact (`store.views.coaching` defines it), the
sites longest without contact first — so support visits can be planned from the top."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ...core.safe_text import shorten
from ...store.views.coaching import SiteCoaching, coaching_list
from ..common.widgets import page_title, quiet

if TYPE_CHECKING:
    from ..shell.context import ShellContext

ROLE = Qt.ItemDataRole.UserRole
HOW = {"feedback": "coaching feedback", "comment": "a coach's comment",
       "meeting": "a meeting"}


class CoachingPage(QWidget):
    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.network_id: str | None = None
        self.sites: list[SiteCoaching] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(page_title("Coaching"))
        intro = quiet(QLabel(
            "Each site's latest PDSA cycles, with coaching feedback given or still owed. "
            "Last contact is the latest coaching feedback, comment by a coach or "
            "facilitator, or meeting the site attended. Sites longest without contact "
            "come first. Double-click a cycle to open it."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.tree = QTreeWidget()
        self.tree.setObjectName("coaching")
        self.tree.setAccessibleName("Coaching")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Site and cycles", "Feedback", "Last contact"])
        self.tree.itemActivated.connect(self._open)
        layout.addWidget(self.tree, 1)

    def bind(self, network_id: str | None) -> None:
        self.network_id = network_id
        self.reload()

    def reload(self) -> None:
        ws = self.shell.workspace
        if ws is None or self.network_id is None:
            return
        self.sites = coaching_list(ws, self.network_id)
        self.tree.clear()
        for site in self.sites:
            owed = f"{site.owed} owed" if site.owed else "all given"
            contact = (f"{site.last_contact} ({HOW.get(site.contact_how, site.contact_how)})"
                       if site.last_contact else "none yet")
            head = QTreeWidgetItem([shorten(site.site, 80), owed, contact])
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            for cycle in site.cycles:
                start = f" (from {cycle.start})" if cycle.start else ""
                given = ", ".join(f"{f.given or 'undated'} by {f.coach}"
                                  for f in cycle.feedback)
                row = QTreeWidgetItem([shorten(cycle.title, 80) + start,
                                       f"given {given}" if given else "owed", ""])
                row.setData(0, ROLE, cycle.cycle_id)
                head.addChild(row)
            self.tree.addTopLevelItem(head)
            head.setExpanded(True)
        self.tree.setColumnWidth(0, 360)
        self.tree.setColumnWidth(1, 280)

    def _open(self, row: QTreeWidgetItem, _column: int = 0) -> None:
        cycle = row.data(0, ROLE)
        if isinstance(cycle, str):
            self.shell.open_cycle(cycle)
