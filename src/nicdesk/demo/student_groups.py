"""Student groups in the sample network (issue #21, item 7): the Michigan-like network
gets the usual dimensions, monthly on-track values for English learners, students with
disabilities and economically disadvantaged students at each school (beside the all-
students values `demo.michigan` writes), and each school's enrolment for two school
years.

What the data say, so the views have something true to show:

* Each group's monthly rate is drawn a gap below the school's own all-students value
  for that month, so group and school tell one story.
* At the two schools that adopted advisory check-ins in the first school year (Lincoln,
  Eastside) the English-learner gap narrows after the change starts (from 19 to about
  8 points: English learners gain more than the school does) but stays a gap.  At the others it stays about as it was (a small
  group's monthly rate swings by several points either way).
* At Pine Valley the gap for students with disabilities widens in the second school year
  (their on-track rate slides while the school's holds).
* Harbor Early College has only 7 English learners and 9 students with disabilities in
  9th grade, and Cedar Creek 2 and 9: below the network's threshold of 10, so those
  values are suppressed in every network view.

Deterministic: the values come from a generator of their own, fixed seed.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from ..store.ops.groups import add_usual_groups
from ..store.schema import Measure, Network, Observation, Site
from ..store.views.groups import read_dimensions
from ..store.workspace import Workspace
from .common import school_months

MICHIGAN = "Great Lakes Focus Schools NIC"
ON_TRACK = "9th graders on track"
EL, SWD, ED = "English learners", "Students with disabilities", "Economically disadvantaged"

#: school: (grade size, on-track base, school's lift, change start or None,
#:          9th-grade size of EL, SWD, ED)
SCHOOLS: dict[str, tuple[int, float, float, dt.date | None, int, int, int]] = {
    "Lincoln High School": (320, 0.64, 0.12, dt.date(2025, 2, 5), 58, 45, 198),
    "Eastside High School": (210, 0.68, 0.10, dt.date(2025, 2, 12), 25, 27, 116),
    "Harbor Early College": (90, 0.74, 0.0, None, 7, 9, 43),
    "Pine Valley High School": (180, 0.70, 0.0, None, 24, 27, 104),
    "Cedar Creek Junior-Senior High": (60, 0.72, 0.0, None, 2, 9, 39),
}
#: how far below the school each group starts (points of on-track rate)
GAPS = {EL: 0.19, SWD: 0.20, ED: 0.09}
EL_CATCH_UP = 0.11  # extra lift of English learners where the change took hold
SWD_SLIDE = 0.12  # Pine Valley's students with disabilities, second school year
SECOND_YEAR = dt.date(2025, 9, 1)
#: whole-school enrolment per 9th grader, and two school years
SCHOOL_PER_GRADE = 3.9
YEARS = ("2024-25", "2025-26")


def _gentle_count(rng: random.Random, n: int, p: float) -> int:
    """Students on track out of n: half a binomial draw's spread.  A full draw for a
    group of 25-60 swings 6-9 points a month, enough to flip a narrowed 8-point gap
    into a 'reversed' one in the month the views show last."""
    spread = (n * p * (1 - p)) ** 0.5 / 2
    return max(0, min(n, round(n * p + rng.gauss(0.0, spread))))


def add_student_groups(ws: Workspace) -> None:
    """Add the sample's groups, group-level on-track values and enrolments."""
    with ws.read() as s:
        net = s.scalars(select(Network.id).where(Network.name == MICHIGAN)).one()
        sites = {x.name: x.id for x in s.scalars(select(Site).where(Site.network_id == net))}
        on_track = s.scalars(select(Measure.id).where(Measure.network_id == net,
                                                      Measure.name == ON_TRACK)).one()
        # the all-students values `demo.michigan` wrote: each group is placed a gap
        # below them, so a group and its school come from one story (a separate model
        # let Lincoln's English learners end above their own school)
        everyone = {(o.site_id, o.period): _rate(o) for o in s.scalars(
            select(Observation).where(Observation.measure_id == on_track,
                                      Observation.group_id.is_(None)))}
    add_usual_groups(ws, net)
    groups = {g.name: g.id for d in read_dimensions(ws, net) for g in d.groups}
    rng = random.Random(21)
    months = school_months()
    with ws.ops.batch("Enter sample group data") as t:
        for school, (n, base, lift, change, n_el, n_swd, n_ed) in SCHOOLS.items():
            sid = sites[school]
            sizes = {EL: n_el, SWD: n_swd, ED: n_ed}
            after = 0
            for period in months:
                started = change is not None and lift and period >= change + dt.timedelta(days=30)
                after = after + 1 if started else 0
                school_p = everyone.get((sid, period))
                if school_p is None:
                    school_p = base + (lift * min(1.0, after / 3) if started else 0.0)
                for name, size in sizes.items():
                    p = school_p - GAPS[name]
                    if name == EL and started:
                        p += EL_CATCH_UP * min(1.0, after / 4)
                    if name == SWD and school == "Pine Valley High School" \
                            and period >= SECOND_YEAR:
                        p -= SWD_SLIDE * min(1.0, (period - SECOND_YEAR).days / 120)
                    den = max(1, size + rng.randint(-size // 15, size // 15))
                    num = _gentle_count(rng, den, min(0.98, max(0.02, p)))
                    t.create("observation", measure_id=on_track, site_id=sid, period=period,
                             group_id=groups[name], numerator=num, denominator=den,
                             value=round(num / den, 4))
            for k, year in enumerate(YEARS):
                total = round(n * SCHOOL_PER_GRADE * (1 + 0.02 * k))
                t.create("site_enrolment", site_id=sid, school_year=year, group_id=None,
                         students=total)
                for name, size in sizes.items():
                    t.create("site_enrolment", site_id=sid, school_year=year,
                             group_id=groups[name],
                             students=round(size * SCHOOL_PER_GRADE * (1 + 0.03 * k)))
                girls = round(total * 0.49)
                t.create("site_enrolment", site_id=sid, school_year=year,
                         group_id=groups["Female"], students=girls)
                t.create("site_enrolment", site_id=sid, school_year=year,
                         group_id=groups["Male"], students=total - girls - 3)
                t.create("site_enrolment", site_id=sid, school_year=year,
                         group_id=groups["Nonbinary"], students=3)


def _rate(o: Observation) -> float:
    """An all-students value of the sample's proportion measure, as a rate."""
    if o.value is not None:
        return o.value
    if o.numerator is not None and o.denominator:
        return o.numerator / o.denominator
    return 0.0
