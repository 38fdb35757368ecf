"""Coaching feedback on a PDSA cycle: what a coach or facilitator found strong, a
question, a suggestion and a next step — read by the team on the cycle, given here.

Feedback is given as the member chosen under "Posting as" (shared with the discussion,
`store.ops.discussion.me`); only a coach or facilitator may give it, and the panel says
so in a sentence instead of offering a form that would be refused.  The record belongs
to the coach's site, so a school's cycle can carry feedback from the hub's coaches.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...store.ops import discussion as ops
from ...store.views.coaching import FeedbackRow, feedback_on
from ..common.discussion import MemberChoice
from ..common.widgets import quiet

if TYPE_CHECKING:
    from ..shell.context import ShellContext

PARTS = (("strengths", "What was strong"), ("question", "A question"),
         ("suggestion", "A suggestion"), ("next_step", "Next step"))


def feedback_html(rows: list[FeedbackRow]) -> str:
    """The feedback given so far, newest last, as HTML (every text escaped)."""
    if not rows:
        return "<p><i>No coaching feedback on this cycle yet.</i></p>"
    out = []
    for f in rows:
        parts = "".join(f"<p><b>{label}:</b> {_plain(getattr(f, key))}</p>"
                        for key, label in PARTS if getattr(f, key))
        out.append(f"<h4>{_plain(f.coach)} ({_plain(f.site)}) · "
                   f"{f.given or 'undated'}</h4>{parts}")
    return "<hr>".join(out)


def _plain(text: str) -> str:
    """Typed text inside a paragraph: escaped, line breaks kept."""
    return html.escape(text, quote=False).replace("\n", "<br>")


class FeedbackPanel(QWidget):
    """The cycle's coaching feedback, and the form a coach gives it with."""

    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.cycle_id: str | None = None
        self.given_rows: list[FeedbackRow] = []
        self.setObjectName("coaching_feedback")
        layout = QVBoxLayout(self)
        self.shown = QTextBrowser()
        self.shown.setObjectName("feedback_given")
        self.shown.setMinimumHeight(140)
        layout.addWidget(self.shown, 1)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Give feedback</b>"))
        head.addStretch(1)
        head.addWidget(QLabel("Posting as:"))
        self.member = MemberChoice(shell)
        self.member.currentIndexChanged.connect(lambda _i: self._eligibility())
        head.addWidget(self.member)
        layout.addLayout(head)
        self.why = quiet(QLabel())
        self.why.setObjectName("feedback_why")
        self.why.setWordWrap(True)
        layout.addWidget(self.why)
        form = QFormLayout()
        self.parts: dict[str, QPlainTextEdit] = {}
        for key, label in PARTS:
            edit = QPlainTextEdit()
            edit.setObjectName(f"feedback_{key}")
            edit.setAccessibleName(label)
            edit.setMaximumHeight(54)
            self.parts[key] = edit
            form.addRow(label, edit)
        self.given = QLineEdit()
        self.given.setObjectName("feedback_given_date")
        self.given.setPlaceholderText("YYYY-MM-DD (empty: today)")
        form.addRow("Given on", self.given)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.give = QPushButton("Give feedback")
        self.give.clicked.connect(self.submit)
        row.addWidget(self.give)
        row.addStretch(1)
        layout.addLayout(row)
        self._writing = False
        shell.runner.failed.connect(self._refused)

    def _refused(self, message: str) -> None:
        if self._writing:
            self.why.setText(message)

    def bind(self, cycle_id: str) -> None:
        self.cycle_id = cycle_id
        self.reload()

    def reload(self) -> None:
        ws = self.shell.workspace
        if ws is None or self.cycle_id is None:
            return
        self.member.load(ws)
        self.given_rows = feedback_on(ws, self.cycle_id)
        self.shown.setHtml(feedback_html(self.given_rows))
        self._eligibility()

    def _eligibility(self) -> None:
        ws = self.shell.workspace
        why = ops.feedback_block(ws, self.member.currentData()) if ws else None
        self.why.setText(why or "")
        for w in (*self.parts.values(), self.given, self.give):
            w.setEnabled(why is None)

    def show_problem(self, message: str) -> None:
        self.why.setText(message)

    def submit(self) -> bool:
        ws = self.shell.workspace
        if ws is None or self.cycle_id is None:
            return False
        typed = self.given.text().strip()
        try:
            given = dt.date.fromisoformat(typed) if typed else None
        except ValueError:
            self.why.setText(f"“{typed}” is not a date: write it as 2026-03-14, or leave "
                             "it empty for today.")
            return False
        self._writing = True
        try:
            result = self.shell.runner.run(
                ops.give_feedback, ws, self.cycle_id, author_id=self.member.currentData(),
                given=given, **{k: e.toPlainText() for k, e in self.parts.items()})
        finally:
            self._writing = False
        if result is None:
            return False
        for edit in self.parts.values():
            edit.clear()
        self.given.clear()
        self.reload()
        return True
