"""Reads for the measure page: the measure's heading facts, the site it is seen at and,
at a site, its series for the chart and the data grid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..schema import Measure, Site
from .series import MeasureSeries, load_series

if TYPE_CHECKING:
    from ..workspace import Workspace


@dataclass(frozen=True)
class MeasureHead:
    id: str
    name: str
    kind: str
    chart_kind: str
    definition: str


@dataclass(frozen=True)
class MeasurePageView:
    """What the page shows above its tabs; `series` only when seen at a site."""

    measure: MeasureHead
    site_id: str | None
    site_name: str | None
    series: MeasureSeries | None


def measure_page(ws: Workspace, measure_id: str, site_id: str | None) -> MeasurePageView | None:
    """None when the measure is gone (or tombstoned)."""
    with ws.read() as s:
        m = s.get(Measure, measure_id)
        if m is None or m.deleted:
            return None
        head = MeasureHead(m.id, m.name, m.kind, m.chart_kind, m.definition or "")
        site = s.get(Site, site_id) if site_id else None
        if site is None:
            return MeasurePageView(head, None, None, None)
        return MeasurePageView(head, site.id, site.name, load_series(s, measure_id, site.id))
