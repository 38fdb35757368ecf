"""The coordinator's Coaching page: each site's latest cycles with feedback given or
still owed, and the date of the last contact (`store.views.coaching` defines it), the
sites longest without contact first — so support visits can be planned from the top."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ...core.safe_text import shorten
from ...store.views.coaching import LATEST_CYCLES, SiteCoaching, coaching_list
from ..common.widgets import page_title, quiet

if TYPE_CHECKING:
    from ..shell.context import ShellContext

ROLE = Qt.ItemDataRole.UserRole
HOW = {"feedback": "coaching feedback", "comment": "a coach's comment",
       "meeting": "a meeting"}


def owed_words(owed: int, shown: int) -> str:
    """The site line's feedback column: how many of the cycles listed still wait."""
    if not owed:
        return "all have feedback"
    return f"{owed} of {shown} need{'s' * (owed == 1)} feedback"


def contact_words(site: SiteCoaching, today: dt.date) -> str:
    """"2026-02-12, 3 weeks ago (a meeting)": the date, how long ago (what a visit
    plan needs), and what the contact was."""
    if site.last_contact is None:
        return "no contact yet"
    how = HOW.get(site.contact_how, site.contact_how)
    days = (today - site.last_contact).days
    ago = ("today" if days <= 0 else "yesterday" if days == 1 else
           f"{days} days ago" if days < 14 else f"{days // 7} weeks ago" if days < 62
           else f"{days // 30} months ago")
    return f"{site.last_contact}, {ago} ({how})"


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
            f"Each site's latest {LATEST_CYCLES} PDSA cycles, and whether a coach or "
            "facilitator has given feedback on each (\u201cno feedback yet\u201d: it is "
            "still owed). Last contact is the latest coaching feedback, comment by a "
            "coach or facilitator, or meeting the site attended. Sites longest without "
            "contact come first. Double-click a cycle to open it."))
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
            owed = owed_words(site.owed, len(site.cycles))
            contact = contact_words(site, dt.date.today())
            head = QTreeWidgetItem([shorten(site.site, 80), owed, contact])
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            for cycle in site.cycles:
                start = f" (from {cycle.start})" if cycle.start else ""
                given = ", ".join(f"{f.given or 'undated'} by {f.coach}"
                                  for f in cycle.feedback)
                row = QTreeWidgetItem([shorten(cycle.title, 80) + start,
                                       f"given {given}" if given else "no feedback yet",
                                       ""])
                row.setData(0, ROLE, cycle.cycle_id)
                head.addChild(row)
            self.tree.addTopLevelItem(head)
            head.setExpanded(True)
        # wide enough for "title (from date)" without eliding, within reason
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, min(max(self.tree.columnWidth(0) + 12, 360), 520))
        self.tree.setColumnWidth(1, 280)

    def _open(self, row: QTreeWidgetItem, _column: int = 0) -> None:
        cycle = row.data(0, ROLE)
        if isinstance(cycle, str):
            self.shell.open_cycle(cycle)
