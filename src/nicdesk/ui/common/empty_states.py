"""Empty states that teach (UI.md, issue 23): every empty list or diagram says what it is
for and offers the first action, never only "Nothing recorded yet".

`EMPTY_STATES` holds every text in one place: a title, one sentence on what the thing is
for, the first action's label and the guide page that explains it.  `EmptyState` is the
widget the pages show (title, purpose, a button doing the first action, and a link to
the guide page when the in-app guide is installed); `guide_opener` finds the guide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .widgets import page_title, quiet


@dataclass(frozen=True)
class EmptyText:
    title: str
    purpose: str
    action: str  # the first action's label (a button); "" when there is none to offer
    guide: str = ""  # a guide page's slug


EMPTY_STATES: dict[str, EmptyText] = {
    # navigator groups (a site's or the network's)
    "aims": EmptyText(
        "No aim yet",
        "An aim says what will improve, by how much, by when and for whom — “By June 2027, "
        "85 % of 9th graders are on track” — so everyone tests changes towards the same end.",
        "Add aim", "aims"),
    "fishbones": EmptyText(
        "No fishbone yet",
        "A fishbone (cause-and-effect diagram) gathers your team's ideas about why a problem "
        "happens, so you can vote on the root causes worth acting on.",
        "New fishbone…", "fishbone"),
    "driver_diagrams": EmptyText(
        "No driver diagram yet",
        "A driver diagram is your working theory of improvement: the aim, the primary and "
        "secondary drivers that move it, and the change ideas to test.",
        "New driver diagram…", "driver-diagrams"),
    "measures": EmptyText(
        "No measures yet",
        "Outcome, process and balancing measures, tracked over time on run charts, tell you "
        "whether a change is an improvement.",
        "Add measure", "measures"),
    "pdsa": EmptyText(
        "No PDSA cycles yet",
        "A Plan–Do–Study–Act cycle tests one change idea small and fast: plan with a "
        "prediction, try it, compare what happened, decide what next.",
        "New PDSA cycle", "pdsa"),
    "pdsa_no_site": EmptyText(
        "No site yet to run a PDSA cycle",
        "A PDSA cycle is run by a site — a school, district or agency team — and belongs "
        "to it. Add the first site; its cycles then start from here or from its own "
        "PDSA cycles.",
        "Add site…", "pdsa"),
    "sites": EmptyText(
        "No sites yet",
        "A site is a school, district or agency team in the network. Each keeps its own "
        "aims, fishbones, driver diagrams, PDSA cycles and measures, and shares them with "
        "the network's coordinator in bundles.",
        "Add site…", "nic"),
    "meetings": EmptyText(
        "No meetings yet",
        "Keep each team meeting or network convening here: its agenda, decisions and action "
        "items, carried over until they are done, and a packet to print.",
        "New meeting…", "meetings"),
    # diagrams, pages and lists with nothing in them yet
    "members": EmptyText(
        "No team members yet",
        "An improvement team brings together the people closest to the problem: list who "
        "they are, their role, and whether they have accepted the network's norms. "
        "“Add member” below adds the first.",
        "", "nic"),
    "fishbone": EmptyText(
        "No causes yet",
        "Ask “why does this happen?” and put each answer on the bone (category) it belongs "
        "to: select the bone, then add the cause. Three or more give the team something "
        "to vote on.",
        "Add the first cause", "fishbone"),
    "driver_diagram": EmptyText(
        "Only the aim so far",
        "Add the primary drivers — the few things that most move the aim — then secondary "
        "drivers and, last, the change ideas you will test.",
        "Add a primary driver", "driver-diagrams"),
    "measure_data": EmptyText(
        "No data yet",
        "A run chart needs values over time: type the first period and its value, paste "
        "them from a spreadsheet, or import a CSV file.",
        "Type the first value", "run-charts"),
    "network_view": EmptyText(
        "No measures to compare yet",
        "The network view compares a network measure across the sites: define it under the "
        "network's Measures, then sites send their data in bundles and the coordinator "
        "imports them here.",
        "Import Bundles…", "network-view"),
    "conflicts": EmptyText(
        "No conflicts",
        "A conflict appears when two people changed the same field on two computers before "
        "their bundles met; NICdesk keeps both until someone decides.",
        "", "bundles"),
    "history": EmptyText(
        "No bundles imported yet",
        "Bundles carry other sites' work (or the coordinator's digest) into this workspace; "
        "each one imported is listed here with what it changed.",
        "Import Bundles…", "bundles"),
}


def guide_opener(slug: str) -> Callable[[QWidget], object] | None:
    """A function opening the guide page `slug` next to a widget, or None when the
    in-app guide's window (nicdesk.ui.help) is not installed or has no such page."""
    if not slug:
        return None
    try:
        from ...guide import PAGES
    except ImportError:
        return None
    if slug not in PAGES:
        return None
    try:
        from ..help import open_guide
    except ImportError:  # a build without the guide's window
        return None

    def open_page(widget: QWidget) -> object:
        return open_guide(slug, widget)

    return open_page


def place_after(anchor: QWidget, band: QWidget) -> None:
    """Put `band` (a compact empty state) right below `anchor` in the same box layout."""
    parent = anchor.parentWidget()
    layout = parent.layout() if parent is not None else None
    if isinstance(layout, QBoxLayout):
        layout.insertWidget(layout.indexOf(anchor) + 1, band)


class EmptyState(QFrame):
    """What an empty list or diagram is for, and a button doing the first action."""

    def __init__(self, key: str, action: Callable[[], object] | None = None,
                 parent: QWidget | None = None, *, compact: bool = False) -> None:
        """`compact`: a band above a diagram or chart (no stretch below, a frame), not a
        page of its own."""
        super().__init__(parent)
        self.setObjectName(f"empty_{key}")
        self.key = key
        text = EMPTY_STATES[key]
        self.setFrameShape(QFrame.Shape.StyledPanel if compact else QFrame.Shape.NoFrame)
        if compact:  # a band: never squeezed below its words by the diagram or chart
            self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*((12, 8, 12, 8) if compact else (24, 18, 24, 18)))
        layout.setSpacing(4 if compact else 8)
        self.title = page_title(text.title, 1.05 if compact else 1.2)
        self.title.setObjectName("emptyTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.purpose = QLabel(text.purpose)
        self.purpose.setObjectName("emptyPurpose")
        self.purpose.setWordWrap(True)
        if not compact:  # a page of its own: lines short enough to read
            self.purpose.setMaximumWidth(640)
        layout.addWidget(self.purpose)
        row = QHBoxLayout()
        self.button = QPushButton(text.action or "—")
        self.button.setObjectName("emptyAction")
        self.button.setDefault(True)
        self.button.clicked.connect(lambda _checked=False: self._act())
        row.addWidget(self.button)
        self.guide = QLabel()
        self.guide.setObjectName("emptyGuide")
        quiet(self.guide)
        self.guide.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.guide.linkActivated.connect(lambda _link: self.open_guide())
        row.addWidget(self.guide)
        row.addStretch(1)
        layout.addLayout(row)
        if not compact:
            layout.addStretch(1)
        self._opener = guide_opener(text.guide)
        if self._opener is not None:
            self.guide.setText("<a href='guide'>What is this? Read the guide</a>")
        self.guide.setVisible(self._opener is not None)
        self._action = action
        self.set_action(action)

    def set_action(self, action: Callable[[], object] | None, enabled: bool = True,
                   why: str = "") -> None:
        """The first action (None, or not `enabled` with the reason in `why`: the button
        is shown off, with the reason as its tooltip)."""
        self._action = action
        text = EMPTY_STATES[self.key]
        shown = bool(text.action) and action is not None
        self.button.setVisible(shown)
        self.guide.setContentsMargins(12 if shown else 0, 0, 0, 0)  # apart from the button
        self.button.setEnabled(enabled)
        self.button.setToolTip(why or text.purpose)

    def _act(self) -> None:
        if self._action is not None:
            self._action()

    def open_guide(self) -> None:
        if self._opener is not None:
            self._opener(self)
