"""The Network view's fair-comparison choices (issue #21): which students every view is
about (all students, or one student group across the sites) and which sites it compares
(all, or one school and the schools like it by enrolment, `core.similarity`).

Both end up in what the views are built from: the group id goes to the small multiples
(and through them to the funnel and the bright spots), the comparison set into the
`ContextFilter` every tab already honours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from ...core.network import ContextFilter
from ...core.safe_text import isolate, shorten
from ...store.views import network_page as npg

if TYPE_CHECKING:
    from ...store.views.network_groups import SchoolsLike
    from ...store.workspace import Workspace


class EquityFilters:
    """Two choices on the filter bar; `changed` is called when either changes."""

    def __init__(self, changed: Callable[[], None]) -> None:
        self.changed = changed
        self.ws: Workspace | None = None
        self.network_id: str | None = None
        self.row = QHBoxLayout()
        self.row.addWidget(QLabel("Students:"))
        self.group = QComboBox()
        self.group.setObjectName("networkGroup")
        self.group.setAccessibleName("Students")
        self.group.setToolTip("All students, or one student group at every site (small "
                              "groups hidden)")
        self.group.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.group.activated.connect(lambda _i: self.changed())
        self.row.addWidget(self.group)
        self.row.addSpacing(12)
        self.row.addWidget(QLabel("Compare:"))
        self.like = QComboBox()
        self.like.setObjectName("schoolsLike")
        self.like.setAccessibleName("Compare")
        self.like.setToolTip("All sites, or one school with the schools most like it in "
                             "size and group shares (Help → Gaps between student groups)")
        self.like.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.like.activated.connect(lambda _i: self.changed())
        self.row.addWidget(self.like)
        self.note = QLabel()
        self.note.setObjectName("schoolsLikeNote")
        self.row.addWidget(self.note)
        self.row.addStretch(1)
        self._like: dict[str, SchoolsLike | None] = {}  # per chosen school, until bind

    def bind(self, ws: Workspace, network_id: str) -> None:
        """Offer the network's groups and the sites with enrolment (keeping choices)."""
        self.ws, self.network_id = ws, network_id
        self._like.clear()
        choices = npg.equity_choices(ws, network_id)
        for box, first, items in (
                (self.group, "All students", choices.groups),
                (self.like, "All sites", [(sid, f"Schools like {name}")
                                          for sid, name in choices.sites])):
            current = box.currentData()
            box.clear()
            box.addItem(first, None)
            for rid, text in items:
                box.addItem(isolate(shorten(text, 70)), rid)
            box.setCurrentIndex(max(0, box.findData(current)))
        self.group.setEnabled(self.group.count() > 1)
        self.like.setEnabled(self.like.count() > 1)

    def group_id(self) -> str | None:
        chosen: str | None = self.group.currentData()
        return chosen

    def restrict(self, context: ContextFilter) -> ContextFilter:
        """`context`, restricted to the chosen school and the schools like it."""
        site_id = self.like.currentData()
        if not site_id or self.ws is None or self.network_id is None:
            self.note.setText("")
            return context
        if site_id not in self._like:
            self._like[site_id] = npg.schools_like(self.ws, self.network_id, site_id)
        like = self._like[site_id]
        if like is None:
            self.note.setText("(no enrolment to compare by)")
            return context
        self.note.setText(f"({len(like.neighbours)} nearest by {like.school_year} enrolment)")
        self.note.setToolTip("\n".join(f"{n.name}: distance {n.distance:.2f}"
                                       for n in like.neighbours))
        return like.restrict(context)
