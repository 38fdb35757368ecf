"""Network views for one student group, and "schools like this one" (issue #21, item 4).

`group_multiples` is `views.network.small_multiples` for one group's series at each site,
with complementary suppression added (`core.suppression.suppress_groups`): a point the
group could be worked out at by subtraction (all students minus the other groups) is
hidden like a small one.  Only the site × periods where some cell of the measure is
small (or of unknown size) can hide anything, so those are found in SQL first and only
their cells are read: at 300 sites × 260 weeks × 6 groups the check costs one indexed
scan, not a pass over every cell.

`schools_like` builds the comparison set of `core.similarity` from `site_enrolment`, as a
`ContextFilter` restriction every network view honours.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.network import PanelStatus, network_threshold
from ...core.signals import analyse_series
from ...core.similarity import DEFAULT_NEIGHBOURS, Neighbour, SiteProfile, similar_sites
from ...core.states import ValueType
from ...core.suppression import ALL_STUDENTS, GroupCell, suppress_groups
from ...core.variation import suppression_label
from ..schema import Measure, Network, Site, SiteEnrolment, StudentGroup, stored
from . import network as nv
from .network import ALL_SITES, ContextFilter, SmallMultiples, _select

# ------------------------------------------------------------------ complementary suppression
#: per database: (measure, window, threshold) → (fingerprint of the measure's cells, the
#: hidden map); a write to any of the measure's cells changes the fingerprint
_HIDDEN: WeakKeyDictionary[Any, dict[tuple[Any, ...], tuple[Any, Any]]] = WeakKeyDictionary()
_HIDDEN_LOCK = threading.Lock()
#: per open read (session): what it already found, not checked against the fingerprint
#: again — a read is one short pass building views, taken as of its start (as the
#: views built on each other in it, such as a funnel on its small multiples, are)
_IN_READ: WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = WeakKeyDictionary()
_CELLS_PRINT = ("SELECT count(*), max(hlc), sum(value), sum(numerator), sum(denominator), "
                "sum(CASE WHEN group_id IS NULL THEN 0 ELSE length(group_id) END) "
                "FROM observations WHERE measure_id = :m AND deleted = :no")


def forget_hidden() -> None:
    """Empty the cache of hidden cells (benchmarks time the views cold)."""
    with _HIDDEN_LOCK:
        _HIDDEN.clear()
        _IN_READ.clear()


def hidden_points(session: Session, measure: Measure, threshold: int,
                  start: dt.date | None = None, end: dt.date | None = None,
                  ) -> dict[tuple[str, dt.date], frozenset[str | None]]:
    """(site, period) → the group ids (None: all students) hidden there, primary and
    complementary, for every site × period where anything is hidden.  Cached per
    database until the measure's cells change."""
    window = (" AND period >= :start" if start else "") + (" AND period <= :end" if end else "")
    params: dict[str, Any] = {"m": measure.id, "no": False, "t": threshold}
    if start:
        params["start"] = start.isoformat()
    if end:
        params["end"] = end.isoformat()
    engine = session.get_bind()
    engine = getattr(engine, "engine", engine)
    key = (measure.id, start, end, threshold, measure.value_type)
    with _HIDDEN_LOCK:  # asked again in the same read (a view built on another's)
        seen: dict[tuple[str, dt.date], frozenset[str | None]] | None = \
            _IN_READ.get(session, {}).get(key)
    if seen is not None:
        return seen
    mark = tuple(next(iter(_select(session, _CELLS_PRINT + window, params))))
    with _HIDDEN_LOCK:
        hit = _HIDDEN.get(engine, {}).get(key)
    if hit is not None and hit[0] == mark:
        out: dict[tuple[str, dt.date], frozenset[str | None]] = hit[1]
    else:
        out = _hidden(session, measure, threshold, window, params)
    with _HIDDEN_LOCK:
        _HIDDEN.setdefault(engine, {})[key] = (mark, out)
        _IN_READ.setdefault(session, {})[key] = out
    return out


def _hidden(session: Session, measure: Measure, threshold: int, window: str,
            params: dict[str, Any]) -> dict[tuple[str, dt.date], frozenset[str | None]]:
    """`hidden_points` without the cache: the site × periods with a small (or unknown)
    cell found in SQL, then every cell there judged by `suppress_groups` — once per
    pattern of cell sizes, since the verdict depends on the sizes alone."""
    size = "value" if measure.value_type == ValueType.COUNT else "denominator"
    small = list(_select(session, (
        f"SELECT DISTINCT site_id, period FROM observations WHERE measure_id = :m AND "
        f"deleted = :no AND (({size} > 0 AND {size} < :t) OR ({size} IS NULL AND "
        f"group_id IS NOT NULL)){window}"), params))
    if not small:
        return {}
    days: dict[Any, dt.date] = {}

    def day(value: Any) -> dt.date:
        found = days.get(value)
        if found is None:
            found = days[value] = (value if isinstance(value, dt.date)
                                   else dt.date.fromisoformat(value))
        return found

    wanted = {(site, day(period)) for site, period in small}
    dims = dict(session.execute(select(StudentGroup.id, StudentGroup.dimension_id)).all())
    sizes: dict[tuple[str, dt.date], dict[str | None, float | None]] = defaultdict(dict)
    rows = _select(session, (
        f"SELECT site_id, period, group_id, {size} FROM observations WHERE "
        "measure_id = :m AND deleted = :no AND site_id IN :sites" + window),
        params | {"sites": sorted({site for site, _ in wanted})})
    for site, period, group, n in rows:
        key = (site, day(period))
        if key in wanted:
            sizes[key][group] = n
    count = measure.value_type == ValueType.COUNT
    verdicts: dict[Any, frozenset[str | None]] = {}
    out = {}
    for key, by_group in sizes.items():
        pattern = tuple(sorted(by_group.items(), key=lambda kv: kv[0] or ""))
        hidden = verdicts.get(pattern)
        if hidden is None:
            cells = {g: GroupCell(n, None) if count else GroupCell(None, n)
                     for g, n in by_group.items()}
            verdict = suppress_groups(
                {(dims.get(g, "?"), g): c for g, c in cells.items() if g is not None},
                cells.get(None), threshold, measure.value_type)
            hidden = verdicts[pattern] = frozenset(
                None if k == ALL_STUDENTS else k[1] for k in verdict.hidden)
        if hidden:
            out[key] = hidden
    return out


def group_multiples(session: Session, measure_id: str, group_id: str | None,
                    context: ContextFilter = ALL_SITES, start: dt.date | None = None,
                    end: dt.date | None = None, analyse: bool = True) -> SmallMultiples:
    """One panel per site of one group's series (`group_id` None: all students), with
    primary and complementary suppression applied."""
    sm = nv.small_multiples(session, measure_id, context, start, end, analyse,
                            group_id=group_id)
    if group_id is not None:  # a site with no value for the group: say so of the group
        sm.panels = [replace(p, explanation="No data recorded for this group.")
                     if p.status == PanelStatus.NO_DATA else p for p in sm.panels]
    measure = stored(session, Measure, measure_id)
    net = session.get(Network, measure.network_id)
    threshold = network_threshold(net.suppression_threshold if net else None)
    hidden = hidden_points(session, measure, threshold, start, end)
    if not hidden:
        return sm
    panels = []
    for panel in sm.panels:
        drop = {p.period for p in panel.points
                if group_id in hidden.get((panel.site_id, p.period), ())}
        if not drop:
            panels.append(panel)
            continue
        kept = [p for p in panel.points if p.period not in drop]
        hid = panel.suppressed_points + len(drop)
        label = suppression_label(threshold)
        if not kept or measure.value_type == ValueType.COUNT:
            panels.append(replace(panel, status=PanelStatus.SUPPRESSED, points=[],
                                  analysis=None, suppressed_points=hid, explanation=(
                                      f"{label}: {hid} values are small or could be worked "
                                      "out from the other groups, so this chart is not "
                                      "shown.")))
            continue
        analysis = analyse_series(kept, panel.phases, chart_kind=measure.chart_kind,
                                  value_type=measure.value_type, direction=measure.direction,
                                  frequency=measure.frequency, rule_set=net.rule_set if net
                                  else "IHI run-chart rules") if analyse else None
        panels.append(replace(panel, points=kept, analysis=analysis, suppressed_points=hid,
                              status=PanelStatus.OK if len(kept) > 1 else PanelStatus.ONE_POINT,
                              explanation=f"{hid} value{'s' if hid > 1 else ''} {label} "
                                          "left out (small, or recoverable by subtraction)."))
    return replace(sm, panels=panels)


def group_funnel(session: Session, measure_id: str, multiples: SmallMultiples,
                 context: ContextFilter = ALL_SITES, start: dt.date | None = None,
                 end: dt.date | None = None) -> nv.FunnelView:
    """The funnel of one group's totals (`multiples` from `group_multiples`).  A site
    where any of the group's cells is hidden by complementary suppression is left out:
    its total over the period, set against the all-students funnel and the other
    groups', would give the hidden cells' total away by subtraction."""
    group_id = multiples.group_id
    measure = stored(session, Measure, measure_id)
    net = session.get(Network, measure.network_id)
    threshold = network_threshold(net.suppression_threshold if net else None)
    hidden = hidden_points(session, measure, threshold, start, end)
    touched = {site for (site, _d), groups in hidden.items() if group_id in groups}
    kept = replace(multiples, panels=[p for p in multiples.panels if p.site_id not in touched])
    view = nv.funnel_view(session, measure_id, context, start, end, multiples=kept)
    view.excluded += [(p.name, f"{suppression_label(threshold)}: this group is too small in "
                       "some periods, or could be worked out from the others there, so its "
                       "total is not shown.") for p in multiples.panels if p.site_id in touched]
    return view


def group_bright_spots(session: Session, network_id: str, group_id: str | None,
                       context: ContextFilter = ALL_SITES) -> list[nv.BrightSpot]:
    """Bright spots and concerns judged on one group's series at each site."""
    models = {m.id: group_multiples(session, m.id, group_id, context)
              for m in nv.network_measures(session, network_id)}
    return nv.bright_spots(session, network_id, context, multiples=models, group_id=group_id)


# ------------------------------------------------------------------ schools like this one
@dataclass(frozen=True)
class SchoolsLike:
    """A school's comparison set for a school year, and how it was chosen."""

    site_id: str
    school_year: str
    neighbours: tuple[Neighbour, ...]
    label: str

    @property
    def site_ids(self) -> frozenset[str]:
        return frozenset({self.site_id, *(n.site_id for n in self.neighbours)})

    def restrict(self, context: ContextFilter) -> ContextFilter:
        """`context` restricted to the school and the schools like it."""
        return context.among(self.site_ids, self.label)


def school_years(session: Session, network_id: str) -> list[str]:
    """The school years with enrolment recorded at the network's sites, latest first."""
    rows = session.scalars(select(SiteEnrolment.school_year).join(
        Site, Site.id == SiteEnrolment.site_id).where(
        Site.network_id == network_id, SiteEnrolment.deleted.is_(False)).distinct())
    return sorted(set(rows), reverse=True)


def profiles(session: Session, network_id: str, school_year: str) -> list[SiteProfile]:
    """Each site's enrolment profile for the year (`core.similarity.SiteProfile`)."""
    totals: dict[str, int] = {}
    groups: dict[str, dict[str, int]] = defaultdict(dict)
    for site_id, group_id, students in session.execute(
            select(SiteEnrolment.site_id, SiteEnrolment.group_id, SiteEnrolment.students)
            .join(Site, Site.id == SiteEnrolment.site_id).where(
                Site.network_id == network_id, Site.deleted.is_(False),
                SiteEnrolment.deleted.is_(False), SiteEnrolment.school_year == school_year)):
        if group_id is None:
            totals[site_id] = students
        else:
            groups[site_id][group_id] = students
    names = dict(session.execute(select(Site.id, Site.name).where(
        Site.id.in_(set(totals) | set(groups)))).all())
    return [SiteProfile(s, names.get(s, "?"), totals.get(s), groups.get(s, {}))
            for s in sorted(set(totals) | set(groups))]


def schools_like(session: Session, network_id: str, site_id: str,
                 school_year: str | None = None,
                 k: int = DEFAULT_NEIGHBOURS) -> SchoolsLike | None:
    """The school and its `k` most similar schools by enrolment for `school_year` (the
    latest with data when None); None when there is no enrolment to compare by."""
    years = school_years(session, network_id)
    year = school_year or (years[0] if years else None)
    if year is None:
        return None
    near = similar_sites(site_id, profiles(session, network_id, year), k)
    if not near:
        return None
    site = stored(session, Site, site_id)
    return SchoolsLike(site_id, year, tuple(near),
                       f"schools like {site.name} ({year} enrolment, {len(near)} nearest)")
