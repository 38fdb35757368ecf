"""Reads for charts by student group (issue #21): a measure at one site split by a
dimension's groups (small multiples on a common scale), the gap between a focus and a
reference group judged like any chart, and gap-closing aims' progress.

Small cells are hidden here, before anything leaves the store: every site × period's
group cells go through `core.suppression.suppress_groups` (primary and complementary
suppression across all the site's dimensions), and a hidden cell becomes *no value*
in the view models — a panel loses the point, a gap loses the period — so no screen,
packet or export can show it or compute something from it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.formatting import is_percent
from ...core.gaps import (
    DIFFERENCE,
    Cell,
    GapAim,
    GapJudgement,
    aim_progress,
    gap_series,
    judge_gap,
)
from ...core.network import PanelStatus, network_threshold
from ...core.signals import (
    DEFAULT_RULE_SET,
    Phase,
    Point,
    SeriesAnalysis,
    analyse_series,
    plotted_values,
)
from ...core.suppression import ALL_STUDENTS, GroupKey, suppress_groups
from ...core.variation import suppression_label
from ..schema import Aim, GroupDimension, Measure, Network, Observation, StudentGroup, stored
from .network import Panel, SmallMultiples
from .series import MeasureSeries, SeriesMeasure, read_phases

if TYPE_CHECKING:
    from ..workspace import Workspace

ALL_STUDENTS_NAME = "All students"


# ------------------------------------------------------------------ groups
@dataclass(frozen=True)
class Group:
    id: str
    name: str
    dimension_id: str


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    groups: tuple[Group, ...]


def group_dimensions(session: Session, network_id: str) -> tuple[Dimension, ...]:
    """The network's dimensions with their groups, each in its display order; a
    dimension with no group yet is left out (nothing to split by)."""
    dims = session.scalars(select(GroupDimension).where(
        GroupDimension.network_id == network_id, GroupDimension.deleted.is_(False))
        .order_by(GroupDimension.position, GroupDimension.name)).all()
    groups: dict[str, list[Group]] = defaultdict(list)
    for g in session.scalars(select(StudentGroup).where(
            StudentGroup.dimension_id.in_([d.id for d in dims]),
            StudentGroup.deleted.is_(False)).order_by(StudentGroup.position, StudentGroup.name)):
        groups[g.dimension_id].append(Group(g.id, g.name, g.dimension_id))
    return tuple(Dimension(d.id, d.name, tuple(groups[d.id])) for d in dims if groups[d.id])


def group_label(dimension: Dimension, group: Group) -> str:
    """"Dimension: group" for choices, or the group's name alone where the dimension is
    named after it (English learners: English learners)."""
    if group.name.casefold() == dimension.name.casefold():
        return group.name
    return f"{dimension.name}: {group.name}"


def dimensions_of(ws: Workspace, network_id: str) -> tuple[Dimension, ...]:
    """`group_dimensions` in a read of its own."""
    with ws.read() as s:
        return group_dimensions(s, network_id)


def group_name(dimensions: Iterable[Dimension], group_id: str | None) -> str:
    """A group's name, "All students" for none."""
    if group_id is None:
        return ALL_STUDENTS_NAME
    return next((g.name for d in dimensions for g in d.groups if g.id == group_id), "?")


# ------------------------------------------------------------------ cells and suppression
def site_cells(session: Session, measure_id: str, site_id: str,
               start: dt.date | None = None, end: dt.date | None = None,
               ) -> dict[dt.date, dict[str | None, Point]]:
    """period → group id (None: all students) → its point, every group of the site."""
    query = select(Observation).where(
        Observation.measure_id == measure_id, Observation.site_id == site_id,
        Observation.deleted.is_(False))
    if start:
        query = query.where(Observation.period >= start)
    if end:
        query = query.where(Observation.period <= end)
    out: dict[dt.date, dict[str | None, Point]] = defaultdict(dict)
    for o in session.scalars(query):
        out[o.period][o.group_id] = Point(o.period, o.value, o.numerator, o.denominator,
                                          bool(o.excluded), "", bool(o.astronomical))
    return dict(out)


def hidden_cells(cells: Mapping[dt.date, Mapping[str | None, Point]],
                 dimension_of: Mapping[str, str], threshold: int, value_type: str,
                 ) -> dict[dt.date, frozenset[str | None]]:
    """period → the group ids (None: all students) a view must not show, by
    `core.suppression.suppress_groups` over all the site's groups of that period.
    Periods with nothing hidden are left out."""
    out: dict[dt.date, frozenset[str | None]] = {}
    for period, by_group in cells.items():
        keyed: dict[GroupKey, Point] = {(dimension_of.get(g, "?"), g): p
                                        for g, p in by_group.items() if g is not None}
        verdict = suppress_groups(keyed, by_group.get(None), threshold, value_type)
        if verdict.hidden:
            out[period] = frozenset(None if k == ALL_STUDENTS else k[1] for k in verdict.hidden)
    return out


# ------------------------------------------------------------------ charts by group
@dataclass(frozen=True)
class GroupPanel:
    """One group's chart at a site: only the points that may be shown."""

    group_id: str | None
    name: str
    points: tuple[Point, ...]
    analysis: SeriesAnalysis | None
    suppressed: int
    explanation: str = ""

    @property
    def latest(self) -> float | None:
        if self.analysis is None:
            return None
        return next((v for v in reversed(self.analysis.y) if v is not None), None)


@dataclass(frozen=True)
class GapAimView:
    """A gap-closing aim of this measure, with its progress in words."""

    id: str
    statement: str
    focus_group_id: str | None
    reference_group_id: str | None
    aim: GapAim
    progress: str


@dataclass(frozen=True)
class GapView:
    focus_group_id: str
    focus: str
    reference_group_id: str | None
    reference: str
    kind: str
    judgement: GapJudgement
    percent: bool
    frequency: str
    rule_set: str
    aim: GapAimView | None = None

    @property
    def words(self) -> str:
        return self.judgement.words

    def chart_series(self) -> MeasureSeries:
        """The gap as a series the measure page's chart draws (judged already; the
        aim's target gap as its target line)."""
        j = self.judgement
        percent_gap = self.percent and self.kind == DIFFERENCE
        head = SeriesMeasure(
            "gap", f"Gap: {self.focus} − {self.reference}" if self.kind == DIFFERENCE
            else f"Gap: {self.focus} ÷ {self.reference}", "%" if percent_gap else "",
            "continuous", self.frequency,
            self.aim.aim.target_gap if self.aim is not None else None)
        return MeasureSeries(head, "", self.rule_set, (), j.points, (), analysis=j.analysis)


@dataclass(frozen=True)
class GroupView:
    """A measure at a site by one dimension: a panel per group (all students first) on
    a common scale, and the gap chart."""

    measure_id: str
    measure_name: str
    unit: str
    value_type: str
    percent: bool
    site_id: str
    dimension: Dimension
    threshold: int
    panels: tuple[GroupPanel, ...]
    gap: GapView | None
    aims: tuple[GapAimView, ...]

    @property
    def y_range(self) -> tuple[float, float] | None:
        """The common scale: every shown value of every panel."""
        values = [v for p in self.panels if p.analysis for v in p.analysis.y if v is not None]
        return (min(values), max(values)) if values else None

    def as_multiples(self) -> SmallMultiples:
        """The panels as the network view's small multiples model, so one grid widget
        draws both (a panel's `site_id` holds the group id, "" for all students)."""
        panels = [Panel(p.group_id or "", p.name, {}, _status(p), p.explanation,
                        list(p.points), p.analysis, p.suppressed) for p in self.panels]
        return GroupMultiples(self.measure_id, self.measure_name, self.unit, self.value_type,
                              "", "", self.threshold, panels, self.percent)


class GroupMultiples(SmallMultiples):
    """A dimension's group panels: always in the dimension's order, all students first
    (a person reads groups in the order the network set, not alphabetically)."""

    def sorted(self, by: str = "name") -> list[Panel]:
        del by  # one order only
        return list(self.panels)


def _status(panel: GroupPanel) -> PanelStatus:
    if panel.analysis is not None:
        return PanelStatus.OK if len(panel.points) > 1 else PanelStatus.ONE_POINT
    return PanelStatus.SUPPRESSED if panel.suppressed else PanelStatus.NO_DATA


def _panel(group_id: str | None, name: str, cells: Mapping[dt.date, Mapping[str | None, Point]],
           hidden: Mapping[dt.date, frozenset[str | None]], measure: Measure,
           phases: tuple[Phase, ...],
           rule_set: str, threshold: int) -> GroupPanel:
    points = [by[group_id] for _, by in sorted(cells.items()) if group_id in by]
    shown = tuple(p for p in points if group_id not in hidden.get(p.period, ()))
    hid = len(points) - len(shown)
    if not points:
        return GroupPanel(group_id, name, (), None, 0, "No data recorded for this group.")
    if not shown:
        return GroupPanel(group_id, name, (), None, hid,
                          f"{suppression_label(threshold)}: every value of this group is "
                          "hidden, so its chart is not shown.")
    analysis = analyse_series(shown, phases, chart_kind=measure.chart_kind,
                              value_type=measure.value_type, direction=measure.direction,
                              frequency=measure.frequency, rule_set=rule_set)
    note = (f"{hid} value{'s' if hid > 1 else ''} {suppression_label(threshold)} left out."
            if hid else "")
    return GroupPanel(group_id, name, shown, analysis, hid, note)


def _cells_of(points: Iterable[Point], value_type: str, chart_kind: str, group: str | None,
              hidden: Mapping[dt.date, frozenset[str | None]]) -> dict[dt.date, Cell]:
    """One group's cells for the gap: the plotted value, or suppressed (no value)."""
    pts = list(points)
    ys = plotted_values(pts, chart_kind, value_type)
    return {p.period: Cell(None, True) if group in hidden.get(p.period, ()) else
            Cell(None if p.excluded else y) for p, y in zip(pts, ys, strict=True)}


def gap_aims(session: Session, measure_id: str, site_id: str | None,
             ) -> list[tuple[Aim, GapAim]]:
    """The measure's gap-closing aims that apply at `site_id`: the site's own first,
    then the network's (no site)."""
    rows = session.scalars(select(Aim).where(
        Aim.measure_id == measure_id, Aim.deleted.is_(False),
        Aim.focus_group_id.is_not(None))).all()
    mine = [a for a in rows if a.site_id == site_id] + [a for a in rows if a.site_id is None]
    return [(a, GapAim(a.gap_kind or DIFFERENCE, a.baseline_gap, a.target_gap, a.deadline))
            for a in mine]


def gap_between(cells: Mapping[dt.date, Mapping[str | None, Point]],
                hidden: Mapping[dt.date, frozenset[str | None]], measure: Measure,
                focus: str, reference: str | None, kind: str, dims: tuple[Dimension, ...],
                rule_set: str, aim: tuple[Aim, GapAim] | None) -> GapView:
    """The gap view of one site's (or the network's pooled) cells."""
    def one(group: str | None) -> dict[dt.date, Cell]:
        pts = [by[group] for _, by in sorted(cells.items()) if group in by]
        return _cells_of(pts, measure.value_type, measure.chart_kind, group, hidden)

    percent = is_percent(measure.value_type, measure.unit)
    series = gap_series(one(focus), one(reference), kind)
    focus_name, reference_name = group_name(dims, focus), group_name(dims, reference)
    judged = judge_gap(series, focus_name, reference_name.lower() if reference is None
                       else reference_name, rule_set=rule_set, frequency=measure.frequency,
                       chart_kind="run" if measure.chart_kind == "run" else "i",
                       percent=percent, baseline_gap=aim[1].baseline_gap if aim else None)
    aim_view = None
    if aim is not None:
        row, numbers = aim
        aim_view = GapAimView(row.id, row.statement, row.focus_group_id,
                              row.reference_group_id, numbers,
                              aim_progress(numbers, series.latest, percent=percent,
                                           frequency=measure.frequency))
    return GapView(focus, focus_name, reference, reference_name, kind, judged, percent,
                   measure.frequency, rule_set, aim_view)


def measure_group_view(ws: Workspace, measure_id: str, site_id: str, dimension_id: str,
                       focus_group_id: str | None = None,
                       reference_group_id: str | None = None,
                       kind: str | None = None) -> GroupView | None:
    """The measure at `site_id` split by `dimension_id`'s groups, and the gap between a
    focus group (default: the gap-closing aim's, else the dimension's first group) and
    a reference group (default: the aim's, else all students).  None when the
    dimension is gone."""
    with ws.read() as s:
        measure = stored(s, Measure, measure_id)
        net = s.get(Network, measure.network_id)
        threshold = network_threshold(net.suppression_threshold if net else None)
        rule_set = net.rule_set if net else DEFAULT_RULE_SET
        dims = group_dimensions(s, measure.network_id)
        dim = next((d for d in dims if d.id == dimension_id), None)
        if dim is None:
            return None
        dimension_of = {g.id: d.id for d in dims for g in d.groups}
        cells = site_cells(s, measure_id, site_id)
        hidden = hidden_cells(cells, dimension_of, threshold, measure.value_type)
        phases = read_phases(s, measure_id, site_id)
        percent = is_percent(measure.value_type, measure.unit)
        panels = [_panel(None, ALL_STUDENTS_NAME, cells, hidden, measure, phases, rule_set,
                         threshold)]
        panels += [_panel(g.id, g.name, cells, hidden, measure, phases, rule_set, threshold)
                   for g in dim.groups]
        aims = gap_aims(s, measure_id, site_id)
        in_dim = {g.id for g in dim.groups}
        aim = next((a for a in aims if a[0].focus_group_id in in_dim), None)
        focus = focus_group_id or (aim[0].focus_group_id if aim else dim.groups[0].id)
        if focus_group_id is None and aim is not None:
            reference_group_id = aim[0].reference_group_id
        if aim is not None and (aim[0].focus_group_id, aim[0].reference_group_id) != (
                focus, reference_group_id):
            aim = None  # the chosen groups are not the aim's
        focus = focus or dim.groups[0].id  # an aim's focus is always set (it was chosen)
        gap = gap_between(cells, hidden, measure, focus, reference_group_id,
                          kind or (aim[1].kind if aim else DIFFERENCE), dims, rule_set, aim)
        aim_views = tuple(GapAimView(a.id, a.statement, a.focus_group_id,
                                     a.reference_group_id, n, aim_progress(n, None, percent=percent))
                          for a, n in aims)
        return GroupView(measure.id, measure.name, measure.unit, measure.value_type, percent,
                         site_id, dim, threshold, tuple(panels), gap, aim_views)


def measure_dimensions(ws: Workspace, measure_id: str) -> tuple[Dimension, ...]:
    """The group dimensions of the measure's network that have values of the measure for
    at least one of their groups (what the measure page offers: a dimension nobody has
    entered values for would only show empty charts)."""
    with ws.read() as s:
        m = s.get(Measure, measure_id)
        if m is None or m.deleted:
            return ()
        used = set(s.scalars(select(Observation.group_id).where(
            Observation.measure_id == measure_id, Observation.group_id.is_not(None),
            Observation.deleted.is_(False)).distinct()))
        return tuple(d for d in group_dimensions(s, m.network_id)
                     if any(g.id in used for g in d.groups))
