"""Progress scores and network timelines of the sample networks (issue #22): each
Michigan-like focus school scored on IHI's scale through two school years — the schools
that adopted advisory check-ins rise, the others stall — and both networks' milestones,
some done and some still planned on the demo's "today" (2026-06-30)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..store.operations import Transaction
from ..store.schema import Network, Site
from ..store.workspace import Workspace

D = dt.date
#: when the hub scored every school (and the network)
SCORED_ON = (D(2024, 9, 16), D(2024, 11, 18), D(2025, 1, 20), D(2025, 3, 17), D(2025, 5, 19),
             D(2025, 10, 20), D(2026, 1, 19), D(2026, 4, 20))
MICHIGAN_SCORES = {
    None: ("1.0", "1.5", "2.0", "2.5", "3.0", "3.0", "3.5", "3.5"),
    "Lincoln High School": ("1.0", "1.5", "2.0", "2.5", "3.5", "4.0", "4.0", "4.5"),
    "Eastside High School": ("1.0", "1.5", "2.0", "3.0", "3.0", "3.5", "4.0", "4.0"),
    "Harbor Early College": ("0.5", "1.0", "1.5", "1.5", "2.0", "2.5", "3.0", "3.0"),
    "Pine Valley High School": ("1.0", "1.5", "2.0", "2.5", "2.5", "2.5", "2.5", "2.5"),
    "Cedar Creek Junior-Senior High": ("0.5", "1.0", "1.0", "1.5", "2.0", "2.0", "2.0", "2.5"),
}
NOTES = {
    "2.5": "Testing advisory check-ins; no movement on the charts yet.",
    "3.5": "Check-ins in every advisory; on-track rate shifting upward.",
    "4.5": "Improvement has held for two terms; planning to spread to 10th grade.",
}
#: (site or None, kind, title, planned, done, responsible)
MICHIGAN_MILESTONES: tuple[tuple[str | None, str, str, D | None, D | None, str], ...] = (
    (None, "charter agreed", "Charter agreed", D(2024, 8, 29), D(2024, 8, 30),
     "Dana Whitfield"),
    (None, "members named", "School teams named", D(2024, 9, 13), D(2024, 9, 13),
     "Marcus Oyelaran"),
    (None, "first convening", "Launch convening", D(2024, 9, 26), D(2024, 9, 26),
     "Dana Whitfield"),
    (None, "first cycles", "First PDSA cycles at every school", D(2024, 11, 1),
     D(2025, 1, 13), "ISD coaches"),
    (None, "mid-year review", "Mid-year data review", D(2025, 2, 20), D(2025, 2, 20),
     "Marcus Oyelaran"),
    ("Harbor Early College", "first cycles", "First advisory cycle at Harbor",
     D(2025, 9, 8), D(2025, 9, 8), "Elena Sokolova"),
    (None, "mid-year review", "Year-two mid-year review", D(2026, 2, 19), D(2026, 2, 26),
     "Marcus Oyelaran"),
    (None, "sustainability plan", "Sustainability plan agreed", D(2027, 1, 21), None,
     "Dana Whitfield"),
    (None, "other", "Spread convening with new focus schools", D(2027, 3, 18), None,
     "Dana Whitfield"),
)
MINNESOTA_MILESTONES = (
    (None, "charter agreed", "Cross-agency charter signed", D(2024, 9, 5), D(2024, 9, 12),
     "State Cross-Agency Team"),
    (None, "first convening", "First convening of the regional centres", D(2024, 10, 3),
     D(2024, 10, 3), "State Cross-Agency Team"),
    (None, "sustainability plan", "Sustainability plan for year two", D(2025, 6, 30),
     D(2025, 7, 14), "State Cross-Agency Team"),
    (None, "mid-year review", "Year-two mid-year review", D(2026, 2, 12), None,
     "State Cross-Agency Team"),
)
MINNESOTA_SCORES = ("1.0", "2.0", "2.5", "3.0", "3.0", "3.5", "3.5", "4.0")
MINNESOTA_NOTES = {
    "2.5": "Centres testing coaching visits for tiered systems; no movement yet.",
    "3.5": "More partner schools implementing with fidelity each term.",
}


def add_progress_and_timelines(ws: Workspace) -> None:
    """Write the sample's progress scores and milestones through the operations."""
    with ws.read() as s:
        nets = {n.name: n.id for n in s.scalars(select(Network))}
        sites = {(x.network_id, x.name): x.id for x in s.scalars(select(Site))}
    mi = nets["Great Lakes Focus Schools NIC"]
    mn = nets["North Star Regional Centers NIC"]
    with ws.ops.batch("Sample progress scores and milestones") as t:
        for school, scores in MICHIGAN_SCORES.items():
            site = sites[(mi, school)] if school else None
            _scores(t, mi, site, scores, NOTES)
        _scores(t, mn, None, MINNESOTA_SCORES, MINNESOTA_NOTES)
        for net, rows in ((mi, MICHIGAN_MILESTONES), (mn, MINNESOTA_MILESTONES)):
            for where, kind, title, planned, done, who in rows:
                t.create("milestone", network_id=net,
                         site_id=sites[(net, where)] if where else None, title=title,
                         kind=kind, planned=planned, done=done, responsible=who)


def _scores(t: Transaction, net: str, site: str | None, scores: tuple[str, ...],
            notes: dict[str, str]) -> None:
    for day, score in zip(SCORED_ON, scores, strict=True):  # scored at every review
        t.create("progress_score", network_id=net, site_id=site, score=score, date=day,
                 note=notes.get(score, ""))
