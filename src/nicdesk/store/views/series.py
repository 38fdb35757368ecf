"""A measure's data at one site, read for charts: points, phases, notes, PDSA starts, and
the analysis under the network's chosen rule set, and the series' judgement
(`core.summary.summarise`, the one the CLI and meeting packets print too).  Plain view
models (frozen dataclasses and tuples), never ORM rows: the chart, the data grid and the
CLI read them after the session has closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.formatting import is_percent
from ...core.signals import DEFAULT_RULE_SET, Phase, Point, SeriesAnalysis, analyse_series
from ...core.summary import SeriesFacts, SeriesSummary, summarise
from ..schema import (
    Annotation,
    ChartPhase,
    Measure,
    Network,
    Observation,
    PdsaCycle,
    PdsaMeasure,
    stored,
)  # fmt: skip

if TYPE_CHECKING:
    from ..workspace import Workspace


@dataclass(frozen=True)
class SeriesMeasure:
    """The measure's definition as the chart and the data grid read it."""

    id: str
    name: str
    unit: str
    value_type: str
    frequency: str
    target: float | None


@dataclass(frozen=True)
class ObservationRow:
    """One stored value of the series, as the data grid shows and edits it."""

    id: str
    period: dt.date
    value: float | None
    numerator: float | None
    denominator: float | None
    excluded: bool
    exclusion_reason: str
    note: str
    astronomical: bool = False  # a person's mark (IHI's astronomical point); note says why


@dataclass(frozen=True)
class MeasureSeries:
    measure: SeriesMeasure
    site_id: str
    rule_set: str
    observations: tuple[ObservationRow, ...]
    points: tuple[Point, ...]
    phases: tuple[Phase, ...]
    annotations: tuple[tuple[dt.date, str], ...] = ()
    pdsa_starts: tuple[tuple[dt.date, str, str], ...] = ()  # date, title, id
    analysis: SeriesAnalysis | None = None
    summary: SeriesSummary | None = None  # the judgement every output shows

    @property
    def percent(self) -> bool:
        return is_percent(self.measure.value_type, self.measure.unit)


def measure_series(ws: Workspace, measure_id: str, site_id: str,
                   chart_kind: str | None = None) -> MeasureSeries:
    """`load_series` in a read of its own."""
    with ws.read() as s:
        return load_series(s, measure_id, site_id, chart_kind)


def load_series(session: Session, measure_id: str, site_id: str,
                chart_kind: str | None = None, group_id: str | None = None) -> MeasureSeries:
    """The series of all students (`group_id` None) or of one student group: a site
    keeps one value per period and group, so the groups never mix into one chart."""
    measure = stored(session, Measure, measure_id)
    network = session.get(Network, measure.network_id)
    obs = tuple(ObservationRow(o.id, o.period, o.value, o.numerator, o.denominator,
                               bool(o.excluded), o.exclusion_reason, o.note,
                               bool(o.astronomical))
                for o in session.scalars(
        select(Observation).where(Observation.measure_id == measure_id,
                                  Observation.site_id == site_id,
                                  Observation.group_id.is_(None) if group_id is None
                                  else Observation.group_id == group_id,
                                  Observation.deleted.is_(False)).order_by(Observation.period)))
    points = tuple(Point(o.period, o.value, o.numerator, o.denominator, o.excluded, o.note,
                         o.astronomical) for o in obs)
    phases = read_phases(session, measure_id, site_id)
    notes = tuple((a.date, a.text) for a in session.scalars(
        select(Annotation).where(Annotation.measure_id == measure_id,
                                 Annotation.site_id == site_id,
                                 Annotation.deleted.is_(False)).order_by(Annotation.date)))
    starts = [(c.start_date, c.title, c.id) for c in session.scalars(
        select(PdsaCycle).join(PdsaMeasure, PdsaMeasure.cycle_id == PdsaCycle.id).where(
            PdsaMeasure.measure_id == measure_id, PdsaMeasure.deleted.is_(False),
            PdsaCycle.site_id == site_id, PdsaCycle.deleted.is_(False))
        .order_by(PdsaCycle.start_date)) if c.start_date]
    rule_set = network.rule_set if network else DEFAULT_RULE_SET
    analysis = analyse_series(
        points, phases, chart_kind=chart_kind or measure.chart_kind,
        value_type=measure.value_type, direction=measure.direction,
        frequency=measure.frequency, rule_set=rule_set)
    head = SeriesMeasure(measure.id, measure.name, measure.unit, measure.value_type,
                         measure.frequency, measure.target)
    return MeasureSeries(head, site_id, rule_set, obs, points, phases, notes, tuple(starts),
                         analysis, summarise(points, phases, series_facts(measure, chart_kind),
                                   rule_set))


def read_phases(session: Session, measure_id: str, site_id: str) -> tuple[Phase, ...]:
    """A site's phases of a measure, oldest first: what every judgement of its series
    must be given (`core.summary`)."""
    return tuple(Phase(p.start, p.kind, p.reason) for p in session.scalars(
        select(ChartPhase).where(ChartPhase.measure_id == measure_id,
                                 ChartPhase.site_id == site_id,
                                 ChartPhase.deleted.is_(False)).order_by(ChartPhase.start)))


def series_facts(measure: Measure, chart_kind: str | None = None) -> SeriesFacts:
    """The parts of a measure's definition that judge its series (`chart_kind`: another
    chart than the measure's own, as `nicdesk chart --chart` asks for)."""
    return SeriesFacts(chart_kind or measure.chart_kind, measure.value_type, measure.direction,
                       measure.frequency, measure.target)


def normalise_period(day: dt.date, frequency: str) -> dt.date:
    """One value per period: weekly data sit on the Monday, monthly on the 1st, etc."""
    if frequency == "weekly":
        return day - dt.timedelta(days=day.weekday())
    if frequency == "monthly":
        return day.replace(day=1)
    if frequency == "quarterly":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day
