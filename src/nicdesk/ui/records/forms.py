"""Editable forms for the network, charter, sites (with members) and aims.

A form is bound to one record.  It shows the stored values and sends each finished edit
to the operation runner as one `update`; there is no Save button.  Values are re-read
after every operation (undo included), but a field that has the keyboard focus is left
alone so a refresh never fights the person typing.

Every load also asks the store who may write the record (`Operations.write_block`, the
single-writer rules of `core.authority`): a record owned by another site — or by the
network, seen at a site — shows a lock banner naming the owner, and its fields, tables and
buttons turn read-only.  This is the one place every record form, and every page built
on one (PDSA tabs, meetings, measure definitions, diagram details), gets its lock from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import model
from ...core.states import ValueType
from ...store.views.rows import MemberRow, RecordView, SiteRef, WriteBlocks
from ..common.fields import (
    BoolField,
    ChoiceField,
    DateField,
    Field,
    IntField,
    LineField,
    NumberField,
    TagsField,
    TextField,
    plain_choices,
)
from ..common.widgets import LockBanner, problem_label, quiet, set_read_only

if TYPE_CHECKING:
    from types import ModuleType

    from ...store.first_look import FirstLook
    from ...store.workspace import Workspace
    from ..shell.context import ShellContext

#: why a widget that writes other records may not be used: (record) -> reason
Block = Callable[[RecordView], "str | None"]


def _views() -> ModuleType:
    """`store.views.records`, imported when a form first reads through the workspace:
    the shell's first look fills a form before SQLAlchemy (which that module loads)."""
    from ...store.views import records

    return records


class HasWorkspace(Protocol):
    """Whatever hands a page its workspace: the `ShellContext`, or the main window."""

    @property
    def workspace(self) -> Workspace | None: ...


def open_workspace(shell: HasWorkspace) -> Workspace:
    """The workspace a page reads and changes: pages show only while one is open."""
    ws = shell.workspace
    if ws is None:
        raise RuntimeError("No workspace is open.")
    return ws


class _Hold(QObject):
    """Holds every click, key and wheel turn aimed at a form while it shows a first look
    (the workspace opens on the next turn): the form looks as it will, but nothing can be
    typed, chosen or pressed before there is a workspace to store it — so nothing typed
    can wait and land elsewhere.  Installed on the application (a table's cell widgets
    and spin boxes are the form's too), only while held."""

    _HELD = frozenset({
        QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick, QEvent.Type.KeyPress, QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride, QEvent.Type.Wheel, QEvent.Type.ContextMenu,
        QEvent.Type.InputMethod, QEvent.Type.Drop, QEvent.Type.DragEnter})

    def __init__(self, form: QWidget) -> None:
        super().__init__(form)
        self._form = form
        self.held = False

    def hold(self) -> None:
        app = QApplication.instance()
        if app is not None and not self.held:
            app.installEventFilter(self)
            self.held = True

    def release(self) -> None:
        app = QApplication.instance()
        if app is not None and self.held:
            app.removeEventFilter(self)
        self.held = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        return (event.type() in self._HELD and isinstance(watched, QWidget)
                and (watched is self._form or self._form.isAncestorOf(watched)))


class RecordForm(QWidget):
    """Heading, a right-aligned QFormLayout of fields, and an inline problem line."""

    kind = ""
    heading = ""
    intro = ""
    #: False where the page around the form shows the lock banner itself
    show_banner = True
    #: the intro tells how to edit ("saved as you type"): hidden while read-only
    editing_intro = False

    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.record_id: str | None = None
        self.site_id: str | None = None
        self.shown: dict[str, Any] = {}
        self.lock: str | None = None  # why this record may not be changed here
        self._look: FirstLook | None = None  # while a first look fills the form
        self._hold = _Hold(self)
        self.edit_widgets: list[tuple[QWidget, Block | None]] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        self.title = QLabel(self.heading)
        self.title.setObjectName("formTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        outer.addWidget(self.title)
        self.banner = LockBanner()
        outer.addWidget(self.banner)
        self.intro_label: QLabel | None = None
        if self.intro:
            intro = self.intro_label = QLabel(self.intro)
            intro.setWordWrap(True)
            quiet(intro)
            outer.addWidget(intro)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        outer.addLayout(self.form)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        problem_label(self.problem)
        self.problem.setWordWrap(True)
        self.problem.hide()
        outer.addWidget(self.problem)
        self.fields: dict[str, Field] = {}
        for f in self.build_fields():
            self.add_field(f)
        self.extra(outer)
        outer.addStretch(1)

    # -- to override
    def build_fields(self) -> list[Field]:
        return []

    def extra(self, layout: QVBoxLayout) -> None:
        """Room for tables and buttons below the fields."""

    def prepare(self, ws: Workspace, record: RecordView) -> None:
        """Fill choice lists that depend on other records before values are shown (read
        through `store.views`, never a session)."""

    # -- machinery
    def add_field(self, f: Field) -> None:
        self.fields[f.name] = f
        f.on_commit = self._commit
        self.form.addRow(f.label + ":", f.widget)

    def editing(self, widget: QWidget, block: Block | None = None) -> QWidget:
        """Register a widget that changes the record or its parts (a button, a table), so
        it turns read-only with the record; `block` instead says when a widget that
        creates another record may not be used (e.g. only the coordinator adds sites)."""
        self.edit_widgets.append((widget, block))
        return widget

    def bind(self, record_id: str, site_id: str | None = None) -> None:
        self.record_id = record_id
        self.site_id = site_id
        self.problem.hide()
        self.reload()

    def reload(self) -> None:
        ws = self.shell.workspace
        if ws is None or self.record_id is None:
            return
        record = _views().record_view(ws, self.kind, self.record_id)
        if record is None or record.deleted:
            self.setEnabled(False)
            return
        self.setEnabled(True)
        self.prepare(ws, record)
        for name, f in self.fields.items():
            value = record[name]
            self.shown[name] = value
            if not f.widget.hasFocus() or isinstance(f, ChoiceField | BoolField):
                f.show(value)
        self.after_load(ws, record)
        self._apply_lock(record)
        self._hold.release()

    def after_load(self, ws: Workspace, record: RecordView) -> None:
        pass

    # -- the first look (before the workspace opens)
    #: this form can be filled from `store.first_look` (its reads are all there)
    first_look = False

    def show_first_look(self, record: RecordView, look: FirstLook,
                        site_id: str | None = None) -> None:
        """Show `record` as the shell's first look read it, before the workspace is open,
        exactly as the open workspace will (values, choices, what is read-only and why).
        Input to the form is held (`_Hold`) until the workspace opens (`bind`, on the
        next turn): nothing can be changed before there is a workspace to store it."""
        self.record_id, self.site_id = record.id, site_id
        self.setEnabled(True)
        self._look = look
        try:
            self.look_prepare(look, record)
            for name, f in self.fields.items():
                self.shown[name] = record[name]
                f.show(record[name])
            self._apply_lock(record)
        finally:
            self._look = None
        self._hold.hold()

    def end_first_look(self) -> None:
        """The workspace is open (or the look was dropped): input reaches the form again."""
        self._hold.release()

    def look_prepare(self, look: FirstLook, record: RecordView) -> None:
        """`prepare` and `after_load` from the first look's reads (forms with
        `first_look` set override this when they read more than the record)."""

    def create_block(self, kind: str, owner_site_id: str | None) -> str | None:
        """Why this workspace may not create a `kind` owned by `owner_site_id` (None: it
        may), from the first look while it shows, else from the workspace."""
        if self._look is not None:
            return self._look.create_block(kind, owner_site_id)
        why: str | None = _views().create_block(open_workspace(self.shell), kind,
                                                owner_site_id)
        return why

    def _apply_lock(self, record: RecordView) -> None:
        """Read-only where this workspace may not write: the record as a whole (banner),
        each field (a site's kind and parent are the coordinator's even in the site's own
        workspace), and the registered widgets."""
        blocks: WriteBlocks = (
            self._look.write_blocks(self.kind, record.owner_site_id, self.fields)
            if self._look is not None else _views().write_blocks(
                open_workspace(self.shell), self.kind, record.owner_site_id, self.fields))
        self.lock = blocks.record
        writable = []
        for name, f in self.fields.items():
            why = blocks.fields[name]
            f.set_locked(why)
            if self.lock and not why:
                writable.append(f.label)
        for widget, own in self.edit_widgets:
            set_read_only(widget, own(record) if own is not None else self.lock)
        extra = f"You can still change: {', '.join(writable)}." if writable else ""
        self.banner.show_block(self.lock if self.show_banner else None, extra)
        if self.intro_label is not None and self.editing_intro:
            self.intro_label.setVisible(not self.lock)

    def _commit(self, name: str, value: Any) -> None:
        if self.record_id is None or _same(self.shown.get(name), value):
            return
        field = self.fields.get(name)
        if field is not None and field.locked:
            return
        ws = open_workspace(self.shell)
        self.problem.hide()
        result = self.shell.runner.run(ws.ops.update, self.kind, self.record_id, **{name: value})
        if result is not None:
            self.shown[name] = value

    def show_problem(self, message: str) -> None:
        self.problem.setText("⚠ " + message + " (not saved)")
        self.problem.show()

    def _site_block(self, _record: RecordView) -> str | None:
        """Only the network coordinator adds sites (once the workspace exchanges)."""
        return self.create_block("site", None)


def _same(stored: Any, typed: Any) -> bool:
    if hasattr(stored, "isoformat") and isinstance(typed, str):
        return bool(stored.isoformat() == typed)
    return bool(stored == typed) or (stored in (None, "") and typed in (None, ""))


class NetworkForm(RecordForm):
    kind = "network"
    heading = "Network"
    intro = ("The network's shared aim and settings. Every site sees these; changes are "
             "saved as you type.")
    editing_intro = True
    first_look = True

    def build_fields(self) -> list[Field]:
        return [
            LineField("name", "Name", "Great Lakes Focus Schools NIC"),
            TextField("common_aim", "Common aim",
                      "By June 2027, 85 % of 9th graders on track in every school", lines=3),
            TextField("description", "Description", "Who we are and why we work together"),
            IntField("suppression_threshold", "Hide counts below", 1, 1000, " students",
                     tip="Network views never show a count smaller than this (privacy)"),
            ChoiceField("rule_set", "Run-chart rules", plain_choices(model.RULE_SETS),
                        tip="Every site's charts are judged by the same rules"),
            DateField("created", "Started"),
        ]

    def extra(self, layout: QVBoxLayout) -> None:
        row = QHBoxLayout()
        add = QPushButton("Add site…")
        add.setToolTip("Add a school, district or agency to the network")
        add.clicked.connect(lambda: self.shell.add_site(self.record_id, None))
        self.editing(add, self._site_block)
        row.addWidget(add)
        row.addStretch(1)
        layout.addLayout(row)


class CharterForm(RecordForm):
    kind = "charter"
    heading = "Charter"
    intro = ("A NIC's defining roles, responsibilities and norms. Agree them together and "
             "revisit them each year.")

    def build_fields(self) -> list[Field]:
        return [
            TextField("roles", "Roles and responsibilities",
                      "Coordinator: convenes monthly calls and keeps the data", lines=6),
            TextField("norms", "Norms of membership",
                      "We share our data, including what did not work", lines=5),
            TextField("cadence", "Meeting cadence", "Monthly network call; weekly team huddle",
                      lines=2),
        ]


class SiteForm(RecordForm):
    kind = "site"
    heading = "Site"

    def build_fields(self) -> list[Field]:
        self.parent_choice = ChoiceField(
            "parent_id", "Part of", [("(top level)", None)],
            tip="A school belongs to a district, a district to an agency")
        return [
            LineField("name", "Name", "Lincoln High School"),
            ChoiceField("kind", "Kind", plain_choices(model.SITE_KINDS)),
            self.parent_choice,
            TagsField("context_tags", "Context",
                      "grade_band: 9-12; enrolment: large; locale: city",
                      tip="Where this site works: used to compare like with like"),
            TextField("private_notes", "Private notes", "Stays on this computer; never exported",
                      lines=2),
        ]

    first_look = True

    def prepare(self, ws: Workspace, record: RecordView) -> None:
        views = _views()
        self._parents(record, views.site_descendants(ws, record["network_id"], record.id),
                      views.sites_in_network(ws, record["network_id"]))

    def end_first_look(self) -> None:
        """The workspace is open (or the look was dropped): input reaches the form again."""
        self._hold.release()

    def look_prepare(self, look: FirstLook, record: RecordView) -> None:
        self._parents(record, look.site_descendants(record["network_id"], record.id),
                      look.sites_in_network(record["network_id"]))
        self.members.load(look.members_of_site(record.id))
        self.enrolment.look(look, record.id, record["network_id"])

    def _parents(self, record: RecordView, blocked: set[str], sites: list[SiteRef]) -> None:
        """The heading, and the sites this one may be put inside (not itself or those
        inside it)."""
        self.title.setText(record["name"] or "Site")
        self.parent_choice.set_choices([("(top level)", None)] + [
            (s.name, s.id) for s in sites if s.id not in blocked])

    def extra(self, layout: QVBoxLayout) -> None:
        label = QLabel("Members")
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        layout.addSpacing(12)
        layout.addWidget(label)
        self.members = MembersTable(self)
        layout.addWidget(self.members)
        from ..common.empty_states import EmptyState

        # no team yet: who belongs here (the table shows once someone is added)
        self.no_members = EmptyState("members", compact=True)
        self.no_members.hide()
        layout.addWidget(self.no_members)
        row = QHBoxLayout()
        add = QPushButton("Add member")
        add.setToolTip("Add a person to this site's team")
        add.clicked.connect(self._add_member)
        remove = QPushButton("Remove member")
        remove.setToolTip("Remove the selected person (Undo brings them back)")
        remove.clicked.connect(self.members.remove_selected)
        self.editing(self.members)
        self.editing(add)
        self.editing(remove)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        sub_site = QPushButton("Add site inside…")
        sub_site.setToolTip("Add a school to this district, or a district to this agency")
        sub_site.clicked.connect(self._add_child)
        self.editing(sub_site, self._site_block)
        aim = QPushButton("Add aim")
        aim.setToolTip("State how much, by when, for whom")
        aim.clicked.connect(self._add_aim)
        self.editing(aim, lambda r: self.create_block("aim", r.id))
        row.addWidget(sub_site)
        row.addWidget(aim)
        layout.addLayout(row)
        from ..groups.enrolment import EnrolmentSection

        layout.addSpacing(12)
        self.enrolment = EnrolmentSection(self.shell)  # by school year (issue #21)
        layout.addWidget(self.enrolment)
        from ..common.discussion import FoldedDiscussion

        layout.addSpacing(12)
        # comments on the site (issue #22), folded: the first look draws no threads
        self.discussion = FoldedDiscussion(self.shell, "Discussion about this site")
        layout.addWidget(self.discussion)

    def after_load(self, ws: Workspace, record: RecordView) -> None:
        members = _views().members_of_site(ws, record.id)
        self.members.load(members)
        self.members.setVisible(bool(members))
        self.no_members.setVisible(not members)
        self.enrolment.load(ws, record.id, record["network_id"])
        self.discussion.bind("site", record.id)

    def _add_member(self) -> None:
        ws = open_workspace(self.shell)
        self.shell.runner.run(ws.ops.create, "member", site_id=self.record_id,
                              name="New member", role="teacher")

    def _network_id(self) -> str:
        """The shown site's network (its buttons work only while a site is shown)."""
        site = (_views().record_view(open_workspace(self.shell), "site", self.record_id)
                if self.record_id is not None else None)
        if site is None:
            raise RuntimeError("No site is shown.")
        network_id: str = site["network_id"]
        return network_id

    def _add_child(self) -> None:
        self.shell.add_site(self._network_id(), self.record_id)

    def _add_aim(self) -> None:
        self.shell.add_aim(self._network_id(), self.record_id)


class MembersTable(QTableWidget):
    """A site's team, edited in place: each finished cell edit is one operation."""

    COLUMNS = (("name", "Name"), ("role", "Role"), ("responsibilities", "Responsibilities"),
               ("email", "E-mail (private)"), ("norms_accepted", "Norms accepted"))

    def __init__(self, form: SiteForm) -> None:
        super().__init__(0, len(self.COLUMNS))
        self.form = form
        self.setObjectName("membersTable")
        self.setAccessibleName("Members")
        self.setHorizontalHeaderLabels([label for _k, label in self.COLUMNS])
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(0, 165)
        self.setColumnWidth(1, 120)
        self.setColumnWidth(3, 190)
        self.setColumnWidth(4, 110)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSortingEnabled(False)
        self.setMinimumHeight(150)
        self.ids: list[str] = []
        self._loading = False
        self.itemChanged.connect(self._changed)

    def load(self, members: list[MemberRow]) -> None:
        self._loading = True
        editing = self.state() == QAbstractItemView.State.EditingState
        if editing:
            self._loading = False
            return
        self.setRowCount(len(members))
        self.ids = [m.id for m in members]
        for row, m in enumerate(members):
            for col, (key, _label) in enumerate(self.COLUMNS):
                if key == "role":
                    combo = QComboBox()
                    for r in model.MEMBER_ROLES:
                        combo.addItem(r.capitalize(), r)
                    combo.setCurrentIndex(max(combo.findData(m.role), 0))
                    combo.activated.connect(
                        lambda _i, c=combo, mid=m.id: self._store(mid, "role", c.currentData()))
                    self.setCellWidget(row, col, combo)
                    continue
                item = QTableWidgetItem()
                if key == "norms_accepted":
                    item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                                  | Qt.ItemFlag.ItemIsSelectable)
                    item.setCheckState(Qt.CheckState.Checked if m.norms_accepted
                                       else Qt.CheckState.Unchecked)
                else:
                    item.setText(getattr(m, key) or "")
                self.setItem(row, col, item)
        self._loading = False

    def _changed(self, item: QTableWidgetItem) -> None:
        if self._loading or item.row() >= len(self.ids):
            return
        key = self.COLUMNS[item.column()][0]
        if key == "norms_accepted":
            value: Any = item.checkState() == Qt.CheckState.Checked
        else:
            value = item.text().strip()
        self._store(self.ids[item.row()], key, value)

    def _store(self, member_id: str, key: str, value: Any) -> None:
        if self.form.lock:
            return
        ws = open_workspace(self.form.shell)
        self.form.shell.runner.run(ws.ops.update, "member", member_id, **{key: value})

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.selectedIndexes()})
        if not rows or self.form.lock:
            return
        ws = open_workspace(self.form.shell)
        for row in rows:
            self.form.shell.runner.run(ws.ops.delete, "member", self.ids[row],
                                       label="Remove member")


class AimForm(RecordForm):
    kind = "aim"
    heading = "Aim"
    intro = "A good aim says how much, by when, for whom."

    def build_fields(self) -> list[Field]:
        self.measure_choice = ChoiceField("measure_id", "Measure", [("(none)", None)])
        self.value_fields = (NumberField("baseline_value", "Baseline", "66 %"),
                       NumberField("target_value", "Target", "85 %"))
        return [
            TextField("statement", "Aim statement",
                      "By June 2027, 80 % of 9th graders on track", lines=3),
            self.measure_choice,
            self.value_fields[0],
            DateField("baseline_date", "Baseline date"),
            self.value_fields[1],
            DateField("deadline", "By"),
            LineField("population", "For whom", "All 9th graders in our school"),
            *self._gap_fields(),
        ]

    def _gap_fields(self) -> list[Field]:
        """A gap-closing aim (issue #21): the gap between a focus group and a reference
        group (all students when none), from a baseline gap to a target gap by the
        deadline — in points for a proportion (−24 for 24 points behind), as the
        measure's values otherwise, or a ratio (0.8)."""
        self.focus_choice = ChoiceField("focus_group_id", "Gap of (focus group)",
                                        [("(not a gap-closing aim)", None)])
        self.reference_choice = ChoiceField("reference_group_id", "Compared with",
                                            [("All students", None)])
        self.gap_kind = ChoiceField("gap_kind", "Gap as", [
            ("(none)", ""), ("difference (focus − reference)", "difference"),
            ("ratio (focus ÷ reference)", "ratio")])
        self.gap_fields = (NumberField("baseline_gap", "Baseline gap", "−24 %"),
                           NumberField("target_gap", "Target gap", "−10 %"))
        return [self.focus_choice, self.reference_choice, self.gap_kind, *self.gap_fields]

    def prepare(self, ws: Workspace, record: RecordView) -> None:
        measures = _views().measures_of_network(ws, record["network_id"])
        self.measure_choice.set_choices(
            [("(none)", None)] + [(m.name, m.id) for m in measures])
        linked = next((m for m in measures if m.id == record["measure_id"]), None)
        percent = linked is not None and linked.value_type == ValueType.PROPORTION
        for field in self.value_fields:  # the baseline and the target
            if field.percent != percent:
                field.percent = percent
                field.widget.clear()
        from ...store.views.equity import dimensions_of, group_label

        groups = [(group_label(d, g), g.id) for d in dimensions_of(ws, record["network_id"])
                  for g in d.groups]  # the network's groups by name
        self.focus_choice.set_choices([("(not a gap-closing aim)", None), *groups])
        self.reference_choice.set_choices([("All students", None), *groups])
        for field in self.gap_fields:  # a difference of proportions is in points
            gap_percent = percent and record["gap_kind"] != "ratio"
            if field.percent != gap_percent:
                field.percent = gap_percent
                field.widget.clear()


FORMS: dict[str, type[RecordForm]] = {
    "network": NetworkForm,
    "charter": CharterForm,
    "site": SiteForm,
    "aim": AimForm,
}


class MeasureForm(RecordForm):
    """All fields of DOMAIN.md "Measure"; shown as the Definition tab of a measure."""

    kind = "measure"
    heading = "Definition"
    intro = ("An operational definition says exactly what is counted, so every site "
             "measures the same way.")

    def build_fields(self) -> list[Field]:
        self.target = NumberField("target", "Target", "80 %")
        return [
            LineField("name", "Name", "% of 9th graders with no course failures"),
            ChoiceField("kind", "Kind", plain_choices(model.MEASURE_KINDS),
                        tip="Outcome: the aim. Process: is the change happening? Balancing: "
                        "is something else getting worse?"),
            TextField("definition", "Operational definition",
                      "Numerator: 9th graders with no F this month. Denominator: all 9th "
                      "graders enrolled this month.", lines=4),
            ChoiceField("value_type", "Data are", [
                ("A proportion (numerator / denominator)", "proportion"),
                ("A count", "count"), ("A rate (count per exposure)", "rate"),
                ("A continuous value", "continuous")]),
            LineField("unit", "Unit", "% of 9th graders"),
            LineField("data_source", "Data source", "Student information system export"),
            ChoiceField("frequency", "Frequency", plain_choices(model.FREQUENCIES)),
            ChoiceField("direction", "Improvement is", [
                ("Higher (up)", "up"), ("Lower (down)", "down"),
                ("Neither: no preferred direction", "neutral")],
                tip="No preferred direction: a change either way is shown as unusual (purple), "
                    "never as an improvement or a concern, and there is no assurance "
                    "judgement against a target."),
            self.target,
            ChoiceField("chart_kind", "Chart", CHART_CHOICES),
        ]

    def prepare(self, ws: Workspace, record: RecordView) -> None:
        target = self.target
        percent = record["value_type"] == ValueType.PROPORTION
        if target.percent != percent:
            target.percent = percent
            target.widget.clear()


CHART_CHOICES = [("Run chart (median)", "run"), ("p chart (proportions)", "p"),
                 ("u chart (rates)", "u"), ("c chart (counts)", "c"),
                 ("I chart (individual values)", "i"),
                 # Laney 2002, as qicharts2: for denominators so large that p/u limits
                 # flag nearly every point
                 ("p′ chart (proportions, very large denominators)", "pp"),
                 ("u′ chart (rates, very large denominators)", "up")]
FORMS["measure_definition"] = MeasureForm
