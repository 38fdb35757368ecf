"""A PDSA cycle on one page: Plan, Do, Study and Act as tabs, stored as you type.

Text fields store after a short pause and when focus leaves (see `fields.TextField`), so a
laptop that dies mid-sentence loses seconds, never the form.  Questions pair with their
predictions under Plan and with their results under Study, in one table that grows row by
row.  Nothing blocks saving: what is missing is listed above the tabs as hints.  Another
site's cycle is shown read-only, with a lock banner naming the site that owns it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core import model
from ...core.states import PdsaStage
from ...store.ops import pdsa as ops
from ...store.views import pdsa as views
from ...store.views.records import existing_ids
from ...store.views.rows import RecordView
from ..common.discussion import DiscussionPanel
from ..common.fields import (
    ChoiceField,
    DateField,
    Field,
    IntField,
    LineField,
    TextField,
    plain_choices,
)
from ..common.widgets import LockBanner, page_title
from ..records.forms import RecordForm, open_workspace

if TYPE_CHECKING:
    from ...store.operations import OpChanges
    from ...store.workspace import Workspace
    from ..shell.context import ShellContext


class QuestionsTable(QTableWidget):
    """Questions with their predictions (Plan) or results (Study); edits store at once."""

    def __init__(self, form: RecordForm, columns: tuple[str, ...]) -> None:
        super().__init__(0, len(columns))
        self.form = form
        self.columns = columns
        labels = {"question": "Question", "prediction": "Prediction", "result": "Result"}
        self.setHorizontalHeaderLabels([labels[c] for c in columns])
        if "result" in columns:
            header = self.horizontalHeaderItem(columns.index("result"))
            if header is not None:
                header.setToolTip("What happened, compared with the prediction")
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().hide()
        self.setWordWrap(True)
        self.setMinimumHeight(130)
        self.setObjectName("questions")
        self.setAccessibleName("Questions")
        self.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.ids: list[str] = []
        self._loading = False
        self.itemChanged.connect(self._changed)

    def load(self, questions: list[views.QuestionRow]) -> None:
        if self.state() == QAbstractItemView.State.EditingState:
            return
        self._loading = True
        self.setRowCount(len(questions))
        self.ids = [q.id for q in questions]
        for r, q in enumerate(questions):
            for c, key in enumerate(self.columns):
                item = QTableWidgetItem(getattr(q, key))
                if key == "question" and "result" in self.columns:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.setItem(r, c, item)
        self.resizeRowsToContents()
        self._loading = False

    def _changed(self, item: QTableWidgetItem) -> None:
        if self._loading or item.row() >= len(self.ids) or self.form.lock:
            return
        ws = open_workspace(self.form.shell)
        self.form.shell.runner.run(ws.ops.update, "pdsa_question", self.ids[item.row()],
                                   **{self.columns[item.column()]: item.text().strip()})


class PlanForm(RecordForm):
    kind = "pdsa_cycle"
    heading = "Plan"
    show_banner = False  # the page shows it above the tabs

    def build_fields(self) -> list[Field]:
        self.idea_choice = ChoiceField("change_idea_id", "Change idea", [("(none)", None)])
        self.ramp_choice = ChoiceField("ramp_id", "Ramp", [("(not in a ramp)", None)],
                                       tip="The chain of cycles testing this idea at growing "
                                       "scale")
        return [
            LineField("title", "Title", "Advisory check-ins, cycle 1"),
            self.idea_choice,
            self.ramp_choice,
            IntField("cycle_number", "Cycle in the ramp", 1, 999),
            LineField("scale", "Scale of the test", "1 advisor, 15 students, 2 weeks"),
            DateField("start_date", "Starts"),
            DateField("end_date", "Ends"),
            TextField("objective", "Objective", "What do we want to learn?", lines=2),
            TextField("logistics", "Who, what, when, where",
                      "Ms Lee checks in with each advisee on Mondays in advisory", lines=2),
            TextField("data_collection", "Data to collect", "Check-in log; exit ticket",
                      lines=2),
            TextField("conditions", "Conditions / context", "Testing week; half the class "
                      "away on a trip", lines=2),
        ]

    def extra(self, layout: QVBoxLayout) -> None:
        layout.addWidget(QLabel("Questions and predictions:"))
        self.questions = QuestionsTable(self, ("question", "prediction"))
        layout.addWidget(self.questions)
        row = QHBoxLayout()
        add = QPushButton("Add question")
        add.clicked.connect(self._add_question)
        remove = QPushButton("Remove question")
        remove.clicked.connect(self._remove_question)
        for widget in (self.questions, add, remove):
            self.editing(widget)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel("Measures this cycle moves:"))
        self.measures = QListWidget()
        self.measures.setMaximumHeight(70)
        layout.addWidget(self.measures)
        row = QHBoxLayout()
        self.measure_choice = QComboBox()
        link = QPushButton("Link measure")
        link.clicked.connect(self._link_measure)
        self.editing(self.measure_choice)
        self.editing(link)
        row.addWidget(self.measure_choice, 1)
        row.addWidget(link)
        layout.addLayout(row)

    def prepare(self, ws: Workspace, record: RecordView) -> None:
        choices = views.plan_choices(ws, record.id)
        self.ramp_choice.set_choices([("(not in a ramp)", None), *choices.ramps])
        self.idea_choice.set_choices([("(none)", None), *choices.ideas])
        measures, linked = choices.measures, choices.linked
        self.measures.clear()
        self.measures.addItems([measures.get(m, "?") for m in linked])
        self.measure_choice.clear()
        for mid, name in sorted(measures.items(), key=lambda x: x[1]):
            if mid not in linked:
                self.measure_choice.addItem(name, mid)
        self.questions.load(views.questions_of(ws, record.id))

    def _commit(self, name: str, value: Any) -> None:
        if name == "ramp_id" and value and value != self.shown.get("ramp_id"):
            # joining a ramp numbers the cycle after the ramp's last one
            if self.shell.runner.run(ops.attach_to_ramp, self.shell.workspace,
                                     self.record_id, value) is not None:
                self.shown[name] = value
            return
        super()._commit(name, value)

    def _add_question(self) -> None:
        ws = open_workspace(self.shell)
        n = self.questions.rowCount()
        self.shell.runner.run(ws.ops.create, "pdsa_question", cycle_id=self.record_id,
                              position=n, question="", label="Add question")
        new = self.questions.item(n, 0) if self.questions.rowCount() > n else None
        if new is not None:
            self.questions.setCurrentCell(n, 0)
            self.questions.editItem(new)

    def _remove_question(self) -> None:
        row = self.questions.currentRow()
        if 0 <= row < len(self.questions.ids):
            ws = open_workspace(self.shell)
            self.shell.runner.run(ws.ops.delete, "pdsa_question", self.questions.ids[row],
                                  label="Remove question")

    def _link_measure(self) -> None:
        mid = self.measure_choice.currentData()
        if mid:
            ws = open_workspace(self.shell)
            self.shell.runner.run(ws.ops.create, "pdsa_measure", cycle_id=self.record_id,
                                  measure_id=mid, label="Link measure")


class DoForm(RecordForm):
    kind = "pdsa_cycle"
    heading = "Do"
    show_banner = False
    intro = "Carry out the test; write down what happened as it happens."
    editing_intro = True

    def build_fields(self) -> list[Field]:
        return [
            TextField("do_what_happened", "What happened", "Check-ins on 4 of 5 days", lines=4),
            TextField("do_observations", "Observations", "Students liked the short format",
                      lines=3),
            TextField("do_problems", "Problems", "Paper logs got lost", lines=3),
            TextField("do_deviations", "Deviations from the plan", "Assembly on Monday",
                      lines=3),
            TextField("private_notes", "Private notes", "Stays on this computer; never "
                      "exported", lines=2),
        ]


class StudyForm(RecordForm):
    kind = "pdsa_cycle"
    heading = "Study"
    show_banner = False
    intro = "Compare the results with the predictions. What did we learn?"
    editing_intro = True

    def build_fields(self) -> list[Field]:
        return [
            TextField("study_learned", "What we learned", "Check-ins are feasible when the "
                      "log is on the advisor's laptop", lines=4),
            TextField("study_surprises", "Surprises", "Two students asked for more time",
                      lines=3),
        ]

    def extra(self, layout: QVBoxLayout) -> None:
        layout.addWidget(QLabel("Predictions and results:"))
        self.questions = QuestionsTable(self, ("question", "prediction", "result"))
        self.editing(self.questions)
        layout.addWidget(self.questions)

    def prepare(self, ws: Workspace, record: RecordView) -> None:
        self.questions.load(views.questions_of(ws, record.id))


class ActForm(RecordForm):
    kind = "pdsa_cycle"
    heading = "Act"
    show_banner = False
    intro = "Decide: adopt, adapt or abandon (or expand the scale), and why."
    editing_intro = True

    def build_fields(self) -> list[Field]:
        return [
            ChoiceField("decision", "Decision", plain_choices(model.PDSA_DECISIONS)),
            TextField("act_next", "Why, and what next", "Adapt: move the log online and "
                      "test with the whole 9th-grade team", lines=4),
        ]

    def extra(self, layout: QVBoxLayout) -> None:
        row = QHBoxLayout()
        self.next_button = QPushButton("Start next cycle")
        self.next_button.setToolTip("A new cycle in this ramp, with the change idea, the open "
                                    "questions and these notes carried into its Plan")
        self.next_button.clicked.connect(self._next)
        self.editing(self.next_button)
        row.addWidget(self.next_button)
        row.addStretch(1)
        layout.addLayout(row)

    def _next(self) -> None:
        result = self.shell.runner.run(ops.start_next_cycle, self.shell.workspace,
                                       self.record_id)
        if result is not None:
            self.shell.open_cycle(_new_cycle(self, result))


def _new_cycle(form: RecordForm, result: OpChanges) -> str:
    return next(i for i in existing_ids(open_workspace(form.shell), "pdsa_cycle",
                                        result.created)
                if i != form.record_id)


class PdsaPage(QWidget):
    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.cycle_id: str | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        head = QHBoxLayout()
        self.title = page_title()
        self.stage = QLabel()
        self.stage.setObjectName("stage")
        head.addWidget(self.title)
        head.addWidget(self.stage)
        head.addStretch(1)
        outer.addLayout(head)
        self.banner = LockBanner()
        outer.addWidget(self.banner)
        self.hints = QLabel()
        self.hints.setObjectName("hints")
        self.hints.setWordWrap(True)
        self.hints.setStyleSheet("background: #FFF4D6; color: #3D2C00; padding: 6px;"
                                 " border: 1px solid #E69F00;")
        self.tabs = QTabWidget()
        self.forms = [PlanForm(shell), DoForm(shell), StudyForm(shell), ActForm(shell)]
        for form in self.forms:  # scrolls on small laptop screens
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(form)
            self.tabs.addTab(scroll, form.heading)
        from .coaching import FeedbackPanel

        # what coaches and the network say about the cycle (issue #22)
        self.feedback = FeedbackPanel(shell)
        self.tabs.addTab(self.feedback, "Coaching")
        self.discussion = DiscussionPanel(shell)
        self.tabs.addTab(self.discussion, "Discussion")
        outer.addWidget(self.tabs, 1)
        # under the form, not above it: as the hints are met and the banner goes, the
        # fields being typed in stay where they are
        outer.addWidget(self.hints)

    def bind(self, cycle_id: str) -> None:
        if cycle_id != self.cycle_id:
            self.tabs.setCurrentIndex(0)
        self.cycle_id = cycle_id
        for form in self.forms:
            form.bind(cycle_id)
        self.feedback.bind(cycle_id)
        self.discussion.bind("pdsa_cycle", cycle_id)
        self._header()

    def reload(self) -> None:
        for form in self.forms:
            form.reload()
        self.feedback.reload()
        self.discussion.reload()
        self._header()

    def show_problem(self, message: str) -> None:
        index = self.tabs.currentIndex()
        current: Any = self.forms[index] if index < len(self.forms) \
            else self.tabs.widget(index)  # a cycle form, or the coaching or discussion tab
        current.show_problem(message)

    def _header(self) -> None:
        import datetime as dt

        from ...core.pdsa import problems, stage

        ws = self.shell.workspace
        f = (views.cycle_facts(ws, self.cycle_id)
             if ws is not None and self.cycle_id is not None else None)
        if f is None:
            return
        self.title.setText(f.title)
        given = len(self.feedback.given_rows)
        self.tabs.setTabText(len(self.forms), f"Coaching ({given})" if given else "Coaching")
        threads = len(self.discussion.threads)
        self.tabs.setTabText(len(self.forms) + 1,
                             f"Discussion ({threads})" if threads else "Discussion")
        st = stage(f, dt.date.today())
        colours = {PdsaStage.PLANNING: "#0072B2", PdsaStage.DOING: "#E69F00",
                   PdsaStage.STUDYING: "#56B4E9", PdsaStage.DONE: "#009E73"}
        dark_text = st in (PdsaStage.DOING, PdsaStage.STUDYING)  # on the light colours
        self.stage.setText(f" {st.upper()} ")
        self.stage.setStyleSheet(f"color: {'black' if dark_text else 'white'};"
                                 f" background: {colours[st]}; font-weight: bold;"
                                 " border-radius: 3px; padding: 1px 4px;")
        lock = self.forms[0].lock  # the same for all four tabs: one cycle, one owner
        self.banner.show_block(lock)
        todo = [] if lock else problems(f)  # nothing to finish here: the owner does
        self.hints.setText("Not finished yet (what you wrote is saved): " + " ".join(todo)
                           if todo else "")
        self.hints.setVisible(bool(todo))
