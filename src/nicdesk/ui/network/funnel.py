"""Funnel plot and caterpillar plot of one measure across sites (pyqtgraph).

The funnel shows each site's proportion (or rate) against its denominator with the
network mean and exact 95 % / 99.8 % limits; when sites differ more than chance allows,
the adjusted (random-effects) limits are shown instead unless the person unticks them.
Limits, flags and caption come from `core.variation.funnel_limits`, the same function
the packet and the CLI use, so the screen and the paper name the same limits and put
every site in the same place.  The caterpillar ranks sites with their own 95 % intervals.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...core.formatting import rate_value
from ...core.states import FunnelFlag
from ...core.variation import Funnel, FunnelLimits, FunnelRow, funnel_limits, suppression_label
from ...store.views.network import FunnelView

BLUE, GREY, INK, VERMILLION = "#0072B2", "#777777", "#222222", "#D55E00"


class FunnelPanel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        pg.setConfigOptions(antialias=True, background="w", foreground="k")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        bar = QHBoxLayout()
        self.as_funnel = QRadioButton("Funnel plot")
        self.as_caterpillar = QRadioButton("Caterpillar (ranked)")
        self.as_funnel.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.as_funnel)
        group.addButton(self.as_caterpillar)
        self.adjusted = QCheckBox("Adjusted limits (overdispersion)")
        self.adjusted.setObjectName("adjustedLimits")
        self.adjusted.setToolTip("Widen the limits by the variation between sites "
                                 "(Spiegelhalter's additive random-effects funnel)")
        for w in (self.as_funnel, self.as_caterpillar, self.adjusted):
            bar.addWidget(w)
            w.toggled.connect(self._redraw)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("funnelPlot")
        self.plot.setAccessibleName("Funnel plot")
        self.plot.showGrid(x=False, y=True, alpha=0.15)
        layout.addWidget(self.plot, 1)
        self.caption = QLabel()
        self.caption.setObjectName("funnelCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.caption)
        self.view: FunnelView | None = None
        #: what the funnel draws now (None before a view or without a funnel)
        self.limits: FunnelLimits | None = None

    def show_view(self, view: FunnelView) -> None:
        self.view = view
        f = view.funnel
        self.adjusted.setEnabled(bool(f and f.overdispersed))
        if f is not None and f.overdispersed and not self.adjusted.isChecked():
            self.adjusted.blockSignals(True)
            self.adjusted.setChecked(True)  # plain limits would flag nearly every site
            self.adjusted.blockSignals(False)
        self._redraw()

    # ------------------------------------------------------------------ drawing
    def _redraw(self, *_: object) -> None:
        plot = self.plot
        plot.clear()
        view = self.view
        if view is None:
            return
        f = view.funnel
        lines = []
        self.limits = None
        self.plot.setVisible(f is not None and f.mean is not None)
        if f is None or f.mean is None:
            self.caption.setText(f"<b>{view.note or 'No funnel for this measure.'}</b>")
            self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            return
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft)
        unit = 100.0 if view.percent else 1.0
        self.limits = limits = funnel_limits(f, self.adjusted.isChecked())
        if self.as_funnel.isChecked():
            self._funnel(f, f.mean, unit, limits)
            head, _colon, rest = limits.caption.partition(": ")
            lines.append(f"<b>{html.escape(head)}:</b> {html.escape(rest)} Network mean "
                         f"{rate_value(f.mean, view.percent)} (dash-dot).")
        else:
            self._caterpillar(f, f.mean, unit)
            lines.append("<b>Caterpillar:</b> each site's own 95 % interval "
                         f"({'Wilson score' if f.kind == 'binomial' else 'square-root'}), "
                         "ranked; the dotted line is the network mean.")
        hidden = [r.name for r in f.rows if r.suppressed]
        if hidden:
            lines.append(f"{suppression_label(f.threshold).capitalize()}: "
                         f"{', '.join(hidden)} (left out of the mean too).")
        for site, why in view.excluded:
            lines.append(f"Not shown — {site + ': ' if site else ''}{why}")
        self.caption.setText("<br>".join(lines))

    def _funnel(self, f: Funnel, mean: float, unit: float, limits: FunnelLimits) -> None:
        plot = self.plot
        plot.setLabel("bottom", "Denominator over the period (number of students or "
                      "exposure)")
        plot.setLabel("left", "Proportion (%)" if unit == 100 else "Rate")
        curve = limits.curve
        if curve:
            xs = [c[0] for c in curve]
            for k, style, width in ((1, Qt.PenStyle.DashLine, 1.6), (2, Qt.PenStyle.DotLine, 1.2),
                                    (3, Qt.PenStyle.DotLine, 1.2), (4, Qt.PenStyle.DashLine, 1.6)):
                plot.plot(xs, [c[k] * unit for c in curve],
                          pen=pg.mkPen(GREY, width=width, style=style))
            plot.plot([xs[0], xs[-1]], [mean * unit] * 2,
                      pen=pg.mkPen(INK, width=1, style=Qt.PenStyle.DashDotLine))
        rows = _shown(f)
        spots, labels = [], len(rows) <= 40
        for r, value, _low, _high in rows:
            flag = limits.flag(r)
            outside = flag != FunnelFlag.WITHIN
            spots.append({
                "pos": (r.size, value * unit), "size": 11 if outside else 8,
                "symbol": "d" if outside else "o",
                "brush": pg.mkBrush(VERMILLION if outside else BLUE),
                "pen": pg.mkPen(INK, width=0.8),
                "data": f"{r.name}\n{rate_value(value, unit == 100)} of "
                        f"{r.size:,.0f}\n{flag}"})
            if labels:
                text = pg.TextItem(r.name, color=INK, anchor=(0, 1))
                font = QFont()
                font.setPointSizeF(8)
                text.setFont(font)
                text.setPos(r.size, value * unit)
                plot.addItem(text)
        scatter = pg.ScatterPlotItem(spots=spots, hoverable=True,
                                     tip=lambda x, y, data: data)
        plot.addItem(scatter)

    def _caterpillar(self, f: Funnel, mean: float, unit: float) -> None:
        plot = self.plot
        rows = sorted(_shown(f), key=lambda row: row[1])
        plot.setLabel("bottom", "Sites, ranked")
        plot.setLabel("left", "Proportion (%)" if unit == 100 else "Rate")
        xs = list(range(len(rows)))
        ys = [value * unit for _r, value, _low, _high in rows]
        plot.addItem(pg.ErrorBarItem(
            x=np.array(xs, dtype=float), y=np.array(ys),
            top=np.array([(high - value) * unit for _r, value, _low, high in rows]),
            bottom=np.array([(value - low) * unit for _r, value, low, _high in rows]),
            beam=0.2, pen=pg.mkPen(GREY, width=1.4)))
        above = [low > mean or high < mean for _r, _value, low, high in rows]
        plot.addItem(pg.ScatterPlotItem(
            x=xs, y=ys, size=9, symbol="s",
            brush=[pg.mkBrush(VERMILLION if a else BLUE) for a in above],
            hoverable=True, data=[r.name for r, *_ in rows],
            tip=lambda x, y, data: f"{data}: {y:.1f}"))
        if xs:
            plot.plot([-0.5, len(rows) - 0.5], [mean * unit] * 2,
                      pen=pg.mkPen(INK, width=1, style=Qt.PenStyle.DotLine))
        if len(rows) <= 40:
            axis = plot.getAxis("bottom")
            axis.setTicks([[(i, r.name.split()[0]) for i, (r, *_) in enumerate(rows)]])
        else:
            plot.getAxis("bottom").setTicks(None)


def _shown(f: Funnel) -> list[tuple[FunnelRow, float, float, float]]:
    """The sites on the plot with their value and own 95 % interval (`core.variation.funnel`
    gives all three to every site not suppressed)."""
    return [(r, r.value, r.ci_low, r.ci_high) for r in f.rows
            if not r.suppressed and r.value is not None and r.ci_low is not None
            and r.ci_high is not None]
