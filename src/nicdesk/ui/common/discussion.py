"""The comment thread shown under a PDSA cycle, a measure (or one point of its chart), a
driver, a cause, a meeting or a site: read the threads, comment, reply, resolve.

Who speaks is chosen once ("Posting as") and remembered in the workspace
(`store.ops.discussion.choose_me`).  Typing "@" offers the network's members by name;
the mention is stored as the member's id when the comment is posted.  A thread is
resolved by the site that started it — its comments are that site's records — so on
another site's thread the Resolve button stays off and the panel says whose it is.
Every write goes through the shell's runner: one undo step each, redrawn from `changed`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.mentions import completions, mention_prefix
from ...core.safe_text import shorten
from .widgets import FlowLayout, quiet

if TYPE_CHECKING:
    from types import ModuleType

    from ...store.views.discussion import CommentRow, Thread
    from ...store.workspace import Workspace
    from ..shell.context import ShellContext

def _ops() -> ModuleType:
    """The discussion's writes, imported when first used: a site form (a first screen)
    holds a folded discussion and is drawn before SQLAlchemy is imported."""
    from ...store.ops import discussion

    return discussion


ROLE = Qt.ItemDataRole.UserRole  # the thread's first comment
COMMENT = Qt.ItemDataRole.UserRole + 1  # the comment on this line


def local_time(posted: str) -> str:
    """A comment's time (stored in UTC, or with its offset) on this computer's clock,
    "2026-03-02 10:10"; text that is no time is shown as it is."""
    try:
        moment = dt.datetime.fromisoformat(posted.replace("Z", "+00:00"))
    except ValueError:
        return posted
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def comment_line(c: CommentRow) -> str:
    """One comment as a line: who, where, when, what."""
    when = local_time(c.posted)
    return f"{c.author} ({c.site}) · {when} — {shorten(' '.join(c.text.split()), 300)}"


class MemberChoice(QComboBox):
    """"Posting as": the members this workspace may speak as; the choice is remembered."""

    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.setObjectName("posting_as")
        self.setAccessibleName("Posting as")
        self.setMinimumContentsLength(18)
        self.activated.connect(self._chosen)

    def load(self, ws: Workspace) -> None:
        self.blockSignals(True)
        self.clear()
        people = _ops().eligible_members(ws)
        self.addItem("(choose who you are)" if people else
                     "(nobody yet: add a member to this site)", None)
        for member_id, name, site in people:
            self.addItem(f"{name} — {site}", member_id)
        current = _ops().me(ws)
        self.setCurrentIndex(max(0, self.findData(current)) if current else 0)
        self.blockSignals(False)

    def _chosen(self, _index: int) -> None:
        ws = self.shell.workspace
        member = self.currentData()
        if ws is not None and member:
            self.shell.runner.run(_ops().choose_me, ws, member)


class MentionEdit(QPlainTextEdit):
    """A comment box where "@" completes members' names."""

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}
        self.completer = QCompleter(self)
        self.completer.setModel(QStringListModel(self))
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setWidget(self)
        self.completer.activated.connect(self.insert_mention)
        self.textChanged.connect(self._offer)

    def offered(self) -> list[str]:
        model = self.completer.model()
        return [model.index(r, 0).data() for r in range(model.rowCount())]

    def _offer(self) -> None:
        cursor = self.textCursor()
        prefix = mention_prefix(self.toPlainText(), cursor.position())
        names = completions(prefix, self.names) if prefix is not None else []
        model = self.completer.model()
        assert isinstance(model, QStringListModel)
        model.setStringList(names)
        if names and self.hasFocus():
            rect = self.cursorRect()
            rect.setWidth(240)
            self.completer.complete(rect)
        else:
            popup = self.completer.popup()
            if popup is not None:
                popup.hide()

    def insert_mention(self, name: str) -> None:
        """Replace the partly typed "@pri" before the cursor with "@Priya Raman "."""
        cursor = self.textCursor()
        prefix = mention_prefix(self.toPlainText(), cursor.position())
        if prefix is None:
            return
        for _ in range(len(prefix)):
            cursor.deletePreviousChar()
        cursor.insertText(f"{name} ")
        self.setTextCursor(cursor)


class DiscussionPanel(QWidget):
    """The threads on one record, and the box to write in."""

    def __init__(self, shell: ShellContext, *, title: str = "Discussion",
                 compact: bool = False) -> None:
        super().__init__()
        self.shell = shell
        self.setObjectName("discussion")
        self.subject: tuple[str, str] | None = None
        self.point: dt.date | None = None
        self.chart_site: str | None = None  # a measure's: whose chart is discussed
        self.threads: list[Thread] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        head = QHBoxLayout()
        self.title = title
        self.heading = QLabel(f"<b>{title}</b>")
        head.addWidget(self.heading)
        head.addStretch(1)
        self.member = MemberChoice(shell)
        if compact:  # a narrow side column: "Posting as" on a line of its own
            layout.addLayout(head)
            head = QHBoxLayout()
            self.member.setMinimumContentsLength(8)
        head.addWidget(QLabel("Posting as:"))
        head.addWidget(self.member, 1 if compact else 0)
        layout.addLayout(head)
        self.tree = QTreeWidget()
        self.tree.setObjectName("threads")
        self.tree.setAccessibleName("Comment threads")
        self.tree.setHeaderHidden(True)
        self.tree.setWordWrap(True)
        self.tree.setMinimumHeight(120)
        self.tree.currentItemChanged.connect(lambda *_: self._selection())
        layout.addWidget(self.tree, 1)
        # the selected comment in full (a line in the list is cut to the panel's width)
        self.reading = QLabel()
        self.reading.setObjectName("comment_reading")
        self.reading.setWordWrap(True)
        self.reading.setTextFormat(Qt.TextFormat.PlainText)
        self.reading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reading.hide()
        layout.addWidget(self.reading)
        self.note = quiet(QLabel())
        self.note.setObjectName("thread_note")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.edit = MentionEdit()
        self.edit.setObjectName("comment_text")
        self.edit.setAccessibleName("Comment")
        self.edit.setPlaceholderText("Write a comment — type @ to mention someone")
        self.edit.setMaximumHeight(80)
        layout.addWidget(self.edit)
        row = QHBoxLayout()
        self.post = QPushButton("Comment")
        self.post.setToolTip("Start a new thread on this record")
        self.post.clicked.connect(self.comment)
        self.reply = QPushButton("Reply")
        self.reply.setToolTip("Answer the selected thread")
        self.reply.clicked.connect(self.answer)
        self.resolve = QPushButton("Resolve")
        self.resolve.clicked.connect(self.toggle_resolved)
        if compact:  # the buttons wrap in a narrow side column instead of widening it
            holder = QWidget()
            flow = FlowLayout(holder, spacing=4)
            for b in (self.post, self.reply, self.resolve):
                flow.addWidget(b)
            layout.addWidget(holder)
        else:
            for b in (self.post, self.reply, self.resolve):
                row.addWidget(b)
            row.addStretch(1)
            layout.addLayout(row)
        self._writing = False
        self._written: str | None = None  # id of the comment last posted here
        shell.runner.failed.connect(self._refused)

    def _refused(self, message: str) -> None:
        if self._writing:  # our own write was refused: say why next to the buttons
            self.note.setText(message)

    # ------------------------------------------------------------------ binding
    def bind(self, kind: str, subject_id: str, point: dt.date | None = None, *,
             chart_site: str | None = None) -> None:
        self.subject = (kind, subject_id)
        self.point = point
        self.chart_site = chart_site
        self.reload()

    def reload(self) -> None:
        ws = self.shell.workspace
        if ws is None or self.subject is None:
            return
        self.member.load(ws)
        self.edit.names = _member_names(ws)
        selected = self.selected_thread()
        from ...store.views.discussion import threads_on

        self.threads = threads_on(ws, *self.subject, chart_site_id=self.chart_site)
        self.tree.clear()
        for thread in self.threads:
            root = QTreeWidgetItem([self._root_text(thread)])
            root.setData(0, ROLE, thread.root.id)
            root.setData(0, COMMENT, thread.root.id)
            root.setToolTip(0, thread.root.text)
            for reply in thread.replies:
                item = QTreeWidgetItem([comment_line(reply)])
                item.setData(0, ROLE, thread.root.id)
                item.setData(0, COMMENT, reply.id)
                item.setToolTip(0, reply.text)
                root.addChild(item)
            self.tree.addTopLevelItem(root)
            root.setExpanded(True)
            if selected is not None and thread.root.id == selected.root.id:
                self.tree.setCurrentItem(root)
        count = len(self.threads)
        self.heading.setText(f"<b>{self.title}</b> ({count} thread{'s' * (count != 1)})"
                             if count else f"<b>{self.title}</b>")
        self._selection()

    def _root_text(self, thread: Thread) -> str:
        point = f"[point {thread.point_period}] " if thread.point_period else ""
        done = "✓ resolved · " if thread.resolved else ""
        return f"{done}{point}{comment_line(thread.root)}"

    def show_comment(self, comment_id: str) -> bool:
        """Select one comment (the Inbox leads here to the comment it listed, so the
        reader lands on it, its thread open and the reply box ready); False when it is
        not among these threads."""
        for i in range(self.tree.topLevelItemCount()):
            root = self.tree.topLevelItem(i)
            if root is None:
                continue
            items = [root] + [root.child(j) for j in range(root.childCount())]
            for item in items:
                if item is not None and item.data(0, COMMENT) == comment_id:
                    self.tree.setCurrentItem(item)
                    self.tree.scrollToItem(item)
                    return True
        return False

    # ------------------------------------------------------------------ state
    def selected_thread(self) -> Thread | None:
        item = self.tree.currentItem()
        root = item.data(0, ROLE) if item is not None else None
        return next((t for t in self.threads if t.root.id == root), None)

    def selected_comment(self) -> CommentRow | None:
        item = self.tree.currentItem()
        thread = self.selected_thread()
        if item is None or thread is None:
            return None
        wanted = item.data(0, COMMENT)
        return next((c for c in thread.comments if c.id == wanted), thread.root)

    def _selection(self) -> None:
        chosen = self.selected_comment()
        self.reading.setText(f"{chosen.author} ({chosen.site}), "
                             f"{local_time(chosen.posted)}:\n{chosen.text}"
                             if chosen else "")
        self.reading.setVisible(chosen is not None)
        thread = self.selected_thread()
        ws = self.shell.workspace
        why = _ops().resolve_block(ws, thread.root.id) if thread and ws else None
        self.reply.setEnabled(thread is not None)
        self.resolve.setEnabled(thread is not None and why is None)
        self.resolve.setText("Reopen" if thread and thread.resolved else "Resolve")
        if thread is None:
            self.note.setText("Select a thread to reply to it." if self.threads else
                              "No comments yet: ask a question or share what you saw.")
        else:
            self.note.setText(why or ("Resolved: reopen it if the question comes back."
                                      if thread.resolved else ""))

    def show_problem(self, message: str) -> None:
        self.note.setText(message)

    # ------------------------------------------------------------------ writing
    def _write(self, fn: Any, *args: Any, **kwargs: Any) -> bool:
        ws = self.shell.workspace
        if ws is None:
            return False
        self._writing = True
        try:
            result = self.shell.runner.run(fn, ws, *args, **kwargs)
        finally:
            self._writing = False
        if result is None:
            return False
        self.reload()
        self._written = result.created[0] if getattr(result, "created", None) else None
        return True

    def _tell_unmatched(self) -> None:
        """Say so when an "@name" in the comment just posted names nobody: the writer
        otherwise believes a colleague will find it in their Inbox."""
        ws = self.shell.workspace
        if ws is None or not self._written:
            return
        words = _ops().unmatched_mentions(ws, self._written)
        if words:
            self.note.setText(
                f"Posted, but {', '.join(words)} names no member of this network, so "
                "nobody was told. Type @ and choose a name from the list (reply to "
                "correct it).")

    def comment(self) -> bool:
        """Start a thread with what is typed."""
        if self.subject is None:
            return False
        kind, subject_id = self.subject
        done = self._write(_ops().post_comment, subject_kind=kind, subject_id=subject_id,
                           point_period=self.point, chart_site_id=self.chart_site,
                           text=self.edit.toPlainText())
        if done:
            self.edit.clear()
            self._tell_unmatched()
        return done

    def answer(self) -> bool:
        """Reply to the selected thread with what is typed."""
        thread = self.selected_thread()
        if thread is None or self.subject is None:
            return False
        done = self._write(_ops().post_comment, subject_kind=self.subject[0],
                           subject_id=self.subject[1], parent_id=thread.root.id,
                           text=self.edit.toPlainText())
        if done:
            self.edit.clear()
            self._tell_unmatched()
        return done

    def toggle_resolved(self) -> bool:
        thread = self.selected_thread()
        if thread is None:
            return False
        return self._write(_ops().set_resolved, thread.root.id, not thread.resolved)


def _member_names(ws: Workspace) -> dict[str, str]:
    from ...store.views.discussion import member_names

    return member_names(ws)


class FoldedDiscussion(QWidget):
    """A discussion behind a "Discussion" toggle, folded at first: for a long form whose
    first screen must look the same before the workspace opens (the shell's first look
    draws the site form from the file alone, without the threads)."""

    def __init__(self, shell: ShellContext, label: str) -> None:
        from PySide6.QtWidgets import QToolButton

        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.toggle = QToolButton()
        self.toggle.setObjectName("discussion_toggle")
        self.toggle.setText(label)
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._unfold)
        layout.addWidget(self.toggle)
        self.panel = DiscussionPanel(shell)
        self.panel.setMinimumHeight(260)
        self.panel.hide()
        layout.addWidget(self.panel)
        self._subject: tuple[str, str] | None = None

    def bind(self, kind: str, subject_id: str) -> None:
        self._subject = (kind, subject_id)
        if self.toggle.isChecked():
            self.panel.bind(kind, subject_id)

    def _unfold(self, shown: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.panel.setVisible(shown)
        if shown and self._subject is not None:
            self.panel.bind(*self._subject)
