"""The meeting editor: when and where, who comes, the agenda, notes and decisions, and
action items — this meeting's and the open ones carried over from earlier meetings.

Like every form here, each finished edit is one stored operation (undo works); tables
edit in place.  "Build packet…" opens the packet dialog for this meeting.  A meeting
owned by another site, or the network's seen at a site, is shown read-only under a lock
banner (the packet can still be built).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...store.views import meetings as views
from ...store.views.records import site_name
from ...store.views.rows import RecordView
from ..common.fields import DateField, Field, LineField, TextField
from ..common.widgets import quiet
from ..records.forms import RecordForm, open_workspace

if TYPE_CHECKING:
    from ...store.operations import Transaction
    from ...store.workspace import Workspace
    from ..shell.context import ShellContext


class AttendeesField(Field):
    """Members of the network as a checklist (plus guests already listed)."""

    widget: QListWidget

    def __init__(self, name: str, label: str) -> None:
        box = QListWidget()
        box.setMaximumHeight(130)
        box.setFlow(QListWidget.Flow.LeftToRight)
        box.setWrapping(True)
        box.setResizeMode(QListWidget.ResizeMode.Adjust)
        box.setSpacing(2)
        super().__init__(name, label, box, tip="Tick who attends")
        self._loading = False
        box.itemChanged.connect(lambda _i: None if self._loading or self.locked
                                else self.commit())

    def set_choices(self, names: list[str], chosen: list[str]) -> None:
        self._loading = True
        box = self.widget
        box.clear()
        for n in [*names, *[c for c in chosen if c not in names]]:
            item = QListWidgetItem(n)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if n in chosen else Qt.CheckState.Unchecked)
            box.addItem(item)
        self._loading = False

    def show(self, value: Any) -> None:
        pass  # set_choices shows the stored list

    def value(self) -> list[str]:
        items = [self.widget.item(i) for i in range(self.widget.count())]
        return [item.text() for item in items
                if item is not None and item.checkState() == Qt.CheckState.Checked]


class RecordTable(QTableWidget):
    """Child records edited in place (agenda items, action items): one operation per
    finished cell edit."""

    def __init__(self, form: MeetingForm, kind: str,
                 columns: list[tuple[str, str, str]]) -> None:
        super().__init__(0, len(columns))
        self.form, self.kind, self.columns = form, kind, columns
        self.setObjectName(f"{kind}Table")
        self.setHorizontalHeaderLabels([c[1] for c in columns])
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setMinimumHeight(140)
        self.ids: list[str] = []
        self.locked: set[int] = set()
        self._loading = False
        self.itemChanged.connect(self._changed)

    def load(self, records: list[Any], notes: dict[str, str] | None = None) -> None:
        if self.state() == QAbstractItemView.State.EditingState:
            return
        self._loading = True
        self.setRowCount(len(records))
        self.ids = [r.id for r in records]
        for row, rec in enumerate(records):
            for col, (key, _label, typ) in enumerate(self.columns):
                value = getattr(rec, key, None) if key != "origin" else (notes or {}).get(rec.id)
                item = QTableWidgetItem()
                if typ == "bool":
                    item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                                  | Qt.ItemFlag.ItemIsSelectable)
                    item.setCheckState(Qt.CheckState.Checked if value else
                                       Qt.CheckState.Unchecked)
                else:
                    item.setText("" if value is None else str(value))
                if typ == "readonly":
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.setItem(row, col, item)
        self._loading = False

    def _changed(self, item: QTableWidgetItem) -> None:
        if self._loading or item.row() >= len(self.ids) or self.form.lock:
            return
        key, label, typ = self.columns[item.column()]
        if typ == "bool":
            value: Any = item.checkState() == Qt.CheckState.Checked
        elif typ == "int":
            try:
                value = int(item.text().strip() or 0)
            except ValueError:
                self.form.show_problem(f"{label} must be a whole number of minutes.")
                self.form.reload()
                return
        elif typ == "date":
            text = item.text().strip()
            try:
                value = dt.date.fromisoformat(text) if text else None
            except ValueError:
                self.form.show_problem(f"{text!r} is not a date: write it as YYYY-MM-DD.")
                self.form.reload()
                return
        else:
            value = item.text().strip()
        ws = open_workspace(self.form.shell)
        self.form.shell.runner.run(ws.ops.update, self.kind, self.ids[item.row()],
                                   **{key: value})

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.selectedIndexes()})
        return [self.ids[r] for r in rows if r < len(self.ids)]


class MeetingForm(RecordForm):
    kind = "meeting"
    heading = "Meeting"
    intro = ("Everything here is saved as you type. Action items stay on every later "
             "meeting's list until they are ticked done.")
    editing_intro = True

    def build_fields(self) -> list[Field]:
        self.attendees = AttendeesField("attendees", "Attendees")
        return [
            LineField("title", "Title", "Winter convening"),
            DateField("date", "Date"),
            LineField("start_time", "Starts at", "15:30"),
            LineField("place", "Place", "ISD conference room B, or the video link"),
            self.attendees,
        ]

    def extra(self, layout: QVBoxLayout) -> None:
        self.scope = QLabel()
        quiet(self.scope)
        layout.addWidget(self.scope)
        head = QHBoxLayout()
        head.addWidget(_bold("Agenda"))
        self.total = QLabel()
        head.addWidget(self.total)
        head.addStretch(1)
        for text, slot in (("Add item", self.add_item), ("Remove", self.remove_items),
                           ("Move up", lambda: self.move_item(-1)),
                           ("Move down", lambda: self.move_item(1))):
            b = QPushButton(text)
            b.clicked.connect(slot)
            self.editing(b)
            head.addWidget(b)
        layout.addLayout(head)
        self.agenda = RecordTable(self, "agenda_item", [
            ("title", "Item", "text"), ("minutes", "Minutes", "int"),
            ("owner", "Owner", "text"), ("material", "Material (chart, diagram, PDSA…)", "text")])
        self.agenda.setColumnWidth(0, 320)
        self.agenda.setColumnWidth(2, 150)
        self.editing(self.agenda)
        layout.addWidget(self.agenda)
        self.notes = TextField("notes", "Notes", "What was said", lines=3)
        self.decisions = TextField("decisions", "Decisions", "What was decided", lines=3)
        for f in (self.decisions, self.notes):
            self.fields[f.name] = f
            f.on_commit = self._commit
            layout.addWidget(_bold(f.label))
            layout.addWidget(f.widget)
        head = QHBoxLayout()
        head.addWidget(_bold("Action items"))
        head.addStretch(1)
        for text, slot in (("Add action", self.add_action), ("Remove", self.remove_actions)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            self.editing(b)
            head.addWidget(b)
        self.packet_button = QPushButton("Build packet…")
        self.packet_button.setObjectName("buildPacket")
        self.packet_button.setToolTip("A PDF with the agenda, charts, diagrams and PDSA "
                                      "summaries for this meeting")
        self.packet_button.clicked.connect(self.build_packet)
        head.addWidget(self.packet_button)
        layout.addLayout(head)
        # not `actions`: that is QWidget.actions()
        self.action_items = RecordTable(self, "action_item", [
            ("text", "Action", "text"), ("owner", "Owner", "text"), ("due", "Due", "date"),
            ("done", "Done", "bool"), ("origin", "Agreed at", "readonly")])
        self.action_items.setColumnWidth(0, 320)
        self.action_items.setColumnWidth(1, 150)
        self.editing(self.action_items)
        layout.addWidget(self.action_items)
        from ..common.discussion import DiscussionPanel

        self.discussion = DiscussionPanel(self.shell)  # comments on the meeting (issue #22)
        self.discussion.setMinimumHeight(260)
        layout.addWidget(self.discussion)

    def prepare(self, ws: Workspace, record: RecordView) -> None:
        self.attendees.set_choices(views.attendee_choices(ws, record.id),
                                   list(record["attendees"]))
        site = site_name(ws, record["site_id"])
        where = "the network" if site is None else site + " (and its sites)"
        self.scope.setText(f"Scope: {where}")
        self.title.setText(f"Meeting: {record['title']}")

    def after_load(self, ws: Workspace, record: RecordView) -> None:
        items = views.agenda_of(ws, record.id)
        self.agenda.load(items)
        self.total.setText(f"{sum(i.minutes or 0 for i in items)} minutes")
        rows = views.actions_of(ws, record.id)
        self.action_items.load(rows, {
            r.id: ("this meeting" if not r.carried else
                   f"{r.agreed_title} ({r.agreed_date}) — carried over")
            + (" — OVERDUE" if r.overdue else "") for r in rows})
        self.discussion.bind("meeting", record.id)

    def _commit(self, name: str, value: Any) -> None:
        if name == "start_time" and value:
            from ...core.model import validate

            check = validate("meeting", {"start_time": value}, partial=True)
            if not check.ok:
                self.show_problem(check.text())
                return
        super()._commit(name, value)

    # -- child records
    def add_item(self) -> None:
        ws = open_workspace(self.shell)
        position = len(self.agenda.ids)
        self.shell.runner.run(ws.ops.create, "agenda_item", meeting_id=self.record_id,
                              title="New agenda item", minutes=10, position=position)

    def remove_items(self) -> None:
        self._delete("agenda_item", self.agenda.selected_ids())

    def move_item(self, delta: int) -> None:
        chosen = self.agenda.selected_ids()
        if len(chosen) != 1 or self.lock:
            return
        ids = list(self.agenda.ids)
        i = ids.index(chosen[0])
        j = i + delta
        if not 0 <= j < len(ids):
            return
        ids[i], ids[j] = ids[j], ids[i]
        ws = open_workspace(self.shell)

        def op(t: Transaction) -> None:
            for pos, rid in enumerate(ids):
                t.update("agenda_item", rid, position=pos)

        self.shell.runner.run(ws.ops.run, "Move agenda item", op)
        self.agenda.selectRow(j)

    def add_action(self) -> None:
        text, ok = QInputDialog.getText(self, "New action item", "What is to be done?")
        if ok and text.strip():
            ws = open_workspace(self.shell)
            self.shell.runner.run(ws.ops.create, "action_item", meeting_id=self.record_id,
                                  text=text.strip())

    def remove_actions(self) -> None:
        self._delete("action_item", self.action_items.selected_ids())

    def _delete(self, kind: str, ids: list[str]) -> None:
        if not ids or self.lock:
            return
        ws = open_workspace(self.shell)

        def op(t: Transaction) -> None:
            for rid in ids:
                t.delete(kind, rid)

        self.shell.runner.run(ws.ops.run, f"Remove {len(ids)} item(s)", op)

    def build_packet(self) -> None:
        if self.record_id:
            self.shell.build_packet(self.record_id)


class MeetingPage(QScrollArea):
    """The meeting form in a scroll area (agenda and actions make it tall)."""

    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.form = MeetingForm(shell)
        self.setWidget(self.form)

    def bind(self, record_id: str, site_id: str | None = None) -> None:
        self.form.bind(record_id, site_id)

    def reload(self) -> None:
        self.form.reload()


def _bold(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


