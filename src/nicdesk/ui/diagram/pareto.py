"""The Pareto view of a fishbone's multi-voting: causes sorted by votes as bars, the
cumulative share as a line, and the 80 % mark — "the vital few"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.fishbone import pareto_rows


class Voted(Protocol):
    """A cause as the chart reads it (`store.views.diagrams.CauseInfo`, say)."""

    @property
    def text(self) -> str: ...

    @property
    def votes(self) -> int | None: ...


class ParetoDialog(QDialog):
    """Bars and cumulative line for the causes' votes (`core.fishbone.pareto_rows`)."""

    def __init__(self, parent: QWidget | None, title: str, causes: Iterable[Voted]) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Pareto of votes — {title}")
        self.resize(980, 520)
        self.rows = pareto_rows((c.text, c.votes) for c in causes)
        layout = QVBoxLayout(self)
        body = QHBoxLayout()
        pg.setConfigOptions(antialias=True, background="w", foreground="k")
        plot = pg.PlotWidget()
        plot.setObjectName("pareto")
        plot.setLabel("left", "Votes")
        plot.setLabel("bottom", "Causes, most votes first (numbers as in the list)")
        n = len(self.rows)
        xs = list(range(1, n + 1))
        plot.addItem(pg.BarGraphItem(x=xs, height=[r[1] for r in self.rows], width=0.7,
                                     brush="#0072B2"))
        total = sum(r[1] for r in self.rows) or 1
        plot.plot(xs, [r[2] * total for r in self.rows], pen=pg.mkPen("#E69F00", width=1),
                  symbol="o", symbolBrush="#E69F00", name="Cumulative votes")
        plot.addItem(pg.InfiniteLine(pos=0.8 * total, angle=0,
                                     pen=pg.mkPen("#999999", style=Qt.PenStyle.DashLine),
                                     label="80 % of votes", labelOpts={"position": 0.9}))
        plot.getAxis("bottom").setTicks([[(x, str(x)) for x in xs]])
        body.addWidget(plot, 3)
        self.list = QListWidget()
        self.list.setObjectName("paretoList")
        self.list.setWordWrap(True)
        for i, (text, votes, share) in enumerate(self.rows, start=1):
            self.list.addItem(f"{i}. {text} — {votes} vote{'s' * (votes != 1)} "
                              f"(cumulative {share:.0%})")
        if not self.rows:
            self.list.addItem("No votes yet: select a cause and press V to add a vote.")
        body.addWidget(self.list, 2)
        layout.addLayout(body, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
