"""A measure's Discussion tab: the threads on its chart, and a chooser to attach a new
comment to the whole chart or to one point of it ("what happened in March?")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..common.discussion import DiscussionPanel

if TYPE_CHECKING:
    from ..shell.context import ShellContext


class MeasureDiscussion(QWidget):
    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("A new comment is about:"))
        self.point = QComboBox()
        self.point.setObjectName("comment_point")
        self.point.setAccessibleName("A new comment is about")
        self.point.currentIndexChanged.connect(self._point_chosen)
        row.addWidget(self.point)
        row.addStretch(1)
        layout.addLayout(row)
        self.panel = DiscussionPanel(shell)
        layout.addWidget(self.panel, 1)

    def bind(self, measure_id: str, periods: Sequence[dt.date],
             site_id: str | None = None) -> None:
        """Threads on the measure's chart at `site_id` (and those about every site's
        chart); `periods` are the points shown at this site."""
        keep = self.point.currentData()
        self.point.blockSignals(True)
        self.point.clear()
        self.point.addItem("the whole chart", None)
        for period in sorted(set(periods), reverse=True):
            # ISO text as the item's data: Qt would turn a date into a QDate
            self.point.addItem(f"the point of {period.isoformat()}", period.isoformat())
        self.point.setCurrentIndex(max(0, self.point.findData(keep)) if keep else 0)
        self.point.blockSignals(False)
        self.panel.bind("measure", measure_id, self.chosen(), chart_site=site_id)

    def tab_label(self) -> str:
        """"Discussion (2)": the tab's words, with the threads on this measure."""
        count = len(self.panel.threads)
        return f"Discussion ({count})" if count else "Discussion"

    def chosen(self) -> dt.date | None:
        """The point a new comment is about (None: the whole chart)."""
        data = self.point.currentData()
        return dt.date.fromisoformat(data) if isinstance(data, str) else None

    def select_point(self, period: dt.date | None) -> None:
        self.point.setCurrentIndex(max(0, self.point.findData(
            period.isoformat() if period else None)))

    def _point_chosen(self, _index: int) -> None:
        self.panel.point = self.chosen()

    def reload(self) -> None:
        self.panel.reload()
