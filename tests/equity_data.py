"""A small network with student groups, built through the validated operations, for the
equity views' tests (store, GUI, packet): two dimensions, weekly on-track data per group.

* Alpha: English learners (40 of 200 students) start far behind and narrow the gap from
  week 12 (a change idea's PDSA cycle starts then); students with disabilities are only
  6, so their cells are suppressed and, by complementary suppression, so are those of
  students without disabilities.
* Beta: the English learners' gap widens from week 12.
* Gamma: no group data (all students only).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from nicdesk.store.workspace import Workspace

WEEKS = [dt.date(2025, 9, 1) + dt.timedelta(weeks=k) for k in range(24)]
#: 2025-26 enrolment: site → (all students, English learners); the schools after Gamma
#: have no data, only enrolment (so "schools like Alpha" leaves some out)
ENROLMENT = {"Alpha": (200, 40), "Beta": (210, 45), "Gamma": (900, 20),
             "Delta": (1500, 30), "Epsilon": (1400, 20), "Zeta": (1600, 25),
             "Eta": (1300, 10), "Theta": (205, 42)}
EXTRA_SCHOOLS = ("Delta", "Epsilon", "Zeta", "Eta", "Theta")
#: a numerator of the hidden students-with-disabilities cells no view may show
SWD_ON_TRACK = 5
SWD = 6


def _wobble(k: int) -> int:
    return (k * 7) % 5 - 2


def build(ws: Workspace, threshold: int = 10) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    with ws.ops.batch("build equity test network") as t:
        net = ids["net"] = t.create("network", name="Equity NIC",
                                    suppression_threshold=threshold)
        hub = ids["hub"] = t.create("site", network_id=net, name="District", kind="district")
        for name in ("Alpha", "Beta", "Gamma"):
            ids[name] = t.create("site", network_id=net, name=name, parent_id=hub)
        ids["m"] = t.create("measure", network_id=net, name="On track", unit="%",
                            value_type="proportion", chart_kind="run", direction="up",
                            frequency="weekly", definition="No F in core courses")
        el_dim = ids["el_dim"] = t.create("group_dimension", network_id=net,
                                          name="English learner status", position=1)
        ids["EL"] = t.create("student_group", dimension_id=el_dim, name="English learners",
                             position=1)
        ids["nonEL"] = t.create("student_group", dimension_id=el_dim,
                                name="Not English learners", position=2)
        d_dim = ids["d_dim"] = t.create("group_dimension", network_id=net, name="Disability",
                                        position=2)
        ids["SWD"] = t.create("student_group", dimension_id=d_dim,
                              name="Students with disabilities", position=1)
        ids["nonSWD"] = t.create("student_group", dimension_id=d_dim,
                                 name="Students without disabilities", position=2)
        for site, narrows in (("Alpha", True), ("Beta", False)):
            for k, week in enumerate(WEEKS):
                after = k >= 12
                el = 16 + _wobble(k) + ((10 if narrows else -8) if after else 0)
                other = 128 + _wobble(k + 2)
                total = el + other
                cells = {None: (total, 200), ids["EL"]: (el, 40), ids["nonEL"]: (other, 160),
                         ids["SWD"]: (SWD_ON_TRACK, SWD),
                         ids["nonSWD"]: (total - SWD_ON_TRACK, 200 - SWD)}
                for group, (num, den) in cells.items():
                    t.create("observation", measure_id=ids["m"], site_id=ids[site],
                             period=week, numerator=num, denominator=den, group_id=group)
        for k, week in enumerate(WEEKS):
            t.create("observation", measure_id=ids["m"], site_id=ids["Gamma"], period=week,
                     numerator=150 + _wobble(k), denominator=200)
        for name in EXTRA_SCHOOLS:
            ids[name] = t.create("site", network_id=net, name=name, parent_id=hub)
        for site, (total, el) in ENROLMENT.items():
            t.create("site_enrolment", site_id=ids[site], school_year="2025-26",
                     students=total)
            t.create("site_enrolment", site_id=ids[site], school_year="2025-26",
                     group_id=ids["EL"], students=el)
        ids["cycle"] = t.create("pdsa_cycle", site_id=ids["Alpha"],
                                title="Check-in and check-out for English learners",
                                start_date=WEEKS[11])
    return ids


def add_gap_aim(ws: Workspace, ids: dict[str, Any], site: str | None = "Alpha") -> str:
    """A gap-closing aim for English learners against all students at `site` (None:
    the network's): from a gap of −24 points to −10 by June."""
    return ws.ops.create(
        "aim", network_id=ids["net"], site_id=ids[site] if site else None,
        statement="Halve the on-track gap for English learners", measure_id=ids["m"],
        focus_group_id=ids["EL"], gap_kind="difference", baseline_gap=-0.24,
        target_gap=-0.10, deadline=dt.date(2026, 6, 30)).id


def shot(widget: Any, name: str) -> None:
    """Save a screenshot of `widget` as `name`.png into $NICDESK_SHOTS, when set (to look
    at the screens the tests drive; nothing is written otherwise)."""
    folder = os.environ.get("NICDESK_SHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))
