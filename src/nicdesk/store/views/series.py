"""A measure's data at one site, read for charts: points, phases, notes, PDSA starts, and
the analysis under the network's chosen rule set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.signals import Phase, Point, SeriesAnalysis, analyse_series
from ..schema import (
    Annotation,
    ChartPhase,
    Measure,
    Network,
    Observation,
    PdsaCycle,
    PdsaMeasure,
)  # fmt: skip


@dataclass
class MeasureSeries:
    measure: Measure
    site_id: str
    rule_set: str
    observations: list[Observation]
    points: list[Point]
    phases: list[ChartPhase]
    annotations: list[tuple[dt.date, str]] = field(default_factory=list)
    pdsa_starts: list[tuple[dt.date, str, str]] = field(default_factory=list)  # date, title, id
    analysis: SeriesAnalysis | None = None

    @property
    def percent(self) -> bool:
        return self.measure.value_type == "proportion" or "%" in (self.measure.unit or "")


def load_series(session: Session, measure_id: str, site_id: str,
                chart_kind: str | None = None) -> MeasureSeries:
    measure = session.get(Measure, measure_id)
    network = session.get(Network, measure.network_id)
    obs = list(session.scalars(
        select(Observation).where(Observation.measure_id == measure_id,
                                  Observation.site_id == site_id,
                                  Observation.deleted.is_(False)).order_by(Observation.period)))
    points = [Point(o.period, o.value, o.numerator, o.denominator, o.excluded, o.note)
              for o in obs]
    phases = list(session.scalars(
        select(ChartPhase).where(ChartPhase.measure_id == measure_id,
                                 ChartPhase.site_id == site_id,
                                 ChartPhase.deleted.is_(False)).order_by(ChartPhase.start)))
    notes = [(a.date, a.text) for a in session.scalars(
        select(Annotation).where(Annotation.measure_id == measure_id,
                                 Annotation.site_id == site_id,
                                 Annotation.deleted.is_(False)).order_by(Annotation.date))]
    starts = [(c.start_date, c.title, c.id) for c in session.scalars(
        select(PdsaCycle).join(PdsaMeasure, PdsaMeasure.cycle_id == PdsaCycle.id).where(
            PdsaMeasure.measure_id == measure_id, PdsaMeasure.deleted.is_(False),
            PdsaCycle.site_id == site_id, PdsaCycle.deleted.is_(False))
        .order_by(PdsaCycle.start_date)) if c.start_date]
    rule_set = network.rule_set if network else "IHI run-chart rules"
    series = MeasureSeries(measure, site_id, rule_set, obs, points, phases, notes, starts)
    series.analysis = analyse_series(
        points, [Phase(p.start, p.kind, p.reason) for p in phases],
        chart_kind=chart_kind or measure.chart_kind, value_type=measure.value_type,
        direction=measure.direction, frequency=measure.frequency, rule_set=rule_set)
    return series


def normalise_period(day: dt.date, frequency: str) -> dt.date:
    """One value per period: weekly data sit on the Monday, monthly on the 1st, etc."""
    if frequency == "weekly":
        return day - dt.timedelta(days=day.weekday())
    if frequency == "monthly":
        return day.replace(day=1)
    if frequency == "quarterly":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day
