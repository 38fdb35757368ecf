"""The Inbox: comments from other sites that arrived in the latest import(s), and open
threads that mention me or my site (`store.views.inbox`).  Activating a line goes to
the record it discusses — the cycle, the chart, the diagram, the meeting, the site — or
says that record is not in this workspace yet."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.safe_text import shorten
from ...store.views.discussion import Subject
from ...store.views.inbox import Inbox, InboxItem, inbox
from ..common.discussion import DiscussionPanel, FoldedDiscussion, local_time
from ..common.widgets import page_title, quiet

if TYPE_CHECKING:
    from ..shell.context import ShellContext

ROLE = Qt.ItemDataRole.UserRole


def go_to(shell: ShellContext, subject: Subject) -> bool:
    """Show the record a thread discusses; False (with a status line) when it is not
    in this workspace."""
    target = subject.target
    if target is None:
        shell.show_status(f"{subject.label}.", 6000)
        return False
    if target.kind == "pdsa_cycle":
        shell.open_cycle(target.id)
        return True
    shell.refresh_navigator()
    return (shell.select_record(target.kind, target.id, target.site_id)
            or shell.select_record(target.kind, target.id))


class InboxPage(QWidget):
    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.network_id: str | None = None
        self.box: Inbox | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.title = page_title("Inbox")
        layout.addWidget(self.title)
        self.who = quiet(QLabel())
        self.who.setWordWrap(True)
        layout.addWidget(self.who)
        self.tree = QTreeWidget()
        self.tree.setObjectName("inbox")
        self.tree.setAccessibleName("Inbox")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["About", "From", "When", "Comment"])
        self.tree.setWordWrap(True)
        self.tree.itemActivated.connect(self._open)
        layout.addWidget(self.tree, 1)
        layout.addWidget(quiet(QLabel("Double-click a comment to go to what it is about.")))

    def bind(self, network_id: str | None) -> None:
        self.network_id = network_id
        self.reload()

    def reload(self) -> None:
        ws = self.shell.workspace
        if ws is None:
            return
        self.box = box = inbox(ws, self.network_id)
        self.title.setText(f"Inbox ({box.count})" if box.count else "Inbox")
        me = box.member or "nobody yet — choose under “Posting as” on any discussion"
        last = local_time(box.last_import) if box.last_import else "never"
        self.who.setText(f"Reading as: {me}. Latest import: {last}.")
        self.tree.clear()
        # a new comment that also mentions me is listed once, under "New", marked as
        # mentioning me — as the count (distinct comments) says
        why = {i.comment.id: i.why for i in box.mentions}
        new = tuple(replace(i, why=why.get(i.comment.id, i.why)) for i in box.new)
        fresh = {i.comment.id for i in box.new}
        mentions = tuple(i for i in box.mentions if i.comment.id not in fresh)
        for title, items, empty in (
                ("New since your latest import", new, "Nothing new arrived."),
                ("Open threads that mention you or your site", mentions,
                 "No other open thread mentions you." if len(mentions) < len(box.mentions)
                 else "No open thread mentions you.")):
            head = QTreeWidgetItem([f"{title} ({len(items)})"])
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.tree.addTopLevelItem(head)
            head.setFirstColumnSpanned(True)  # only once it is in the tree
            for item in items:
                head.addChild(self._row(item))
            if not items:
                head.addChild(QTreeWidgetItem([empty]))
            head.setExpanded(True)
        for col, width in enumerate((320, 220, 120)):
            self.tree.setColumnWidth(col, width)

    def _row(self, item: InboxItem) -> QTreeWidgetItem:
        c = item.comment
        about = item.thread.subject.label
        if item.thread.point_period:
            about += f" (point {item.thread.point_period})"
        why = "" if item.why == "new" else f"[{item.why}] "
        row = QTreeWidgetItem([shorten(about, 120), f"{c.author} ({c.site})",
                               local_time(c.posted),
                               why + shorten(" ".join(c.text.split()), 300)])
        row.setData(0, ROLE, item)
        row.setToolTip(3, c.text)
        return row

    def rows(self) -> list[QTreeWidgetItem]:
        """The comment lines, in order (headings left out)."""
        out: list[QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            for j in range(head.childCount() if head is not None else 0):
                child = head.child(j) if head is not None else None
                if child is not None and child.data(0, ROLE) is not None:
                    out.append(child)
        return out

    def _open(self, row: QTreeWidgetItem, _column: int = 0) -> None:
        item = row.data(0, ROLE)
        if isinstance(item, InboxItem) and go_to(self.shell, item.thread.subject):
            self._show_discussion(item)

    def _show_discussion(self, item: InboxItem) -> None:
        """On the page now shown (a cycle, a chart, a diagram node…), bring its
        discussion forward and select the comment listed: the record's first tab would
        leave the reader hunting for what the Inbox promised."""
        stack = self.parentWidget()
        page = stack.currentWidget() if isinstance(stack, QStackedWidget) else None
        if page is None:
            return
        discussion = getattr(page, "discussion", None)
        if not isinstance(discussion, QWidget):  # a form's folded section, a side panel
            discussion = page.findChild(FoldedDiscussion) or page.findChild(DiscussionPanel)
        if discussion is None:
            return
        if isinstance(discussion, FoldedDiscussion):
            discussion.toggle.setChecked(True)  # unfolds and loads the threads
            scroll = discussion.parentWidget()
            while scroll is not None and not isinstance(scroll, QScrollArea):
                scroll = scroll.parentWidget()
            if scroll is not None:
                scroll.ensureWidgetVisible(discussion.panel)
        tabs = getattr(page, "tabs", None)
        if isinstance(tabs, QTabWidget) and tabs.indexOf(discussion) >= 0:
            tabs.setCurrentWidget(discussion)
        point = item.thread.point_period
        if point is not None and hasattr(discussion, "select_point"):
            discussion.select_point(point)
        panel = getattr(discussion, "panel", discussion)
        if hasattr(panel, "show_comment"):
            panel.show_comment(item.comment.id)
