"""Spread of change ideas in the sample networks (issue #22 item 4): more PDSA cycles on
the Michigan-like network's other change ideas, and a few statuses sites wrote
themselves (``change_adoption``), so the spread views show something true.

With the advisory check-in ramps of `demo.michigan`, the sample says: advisory check-ins
were adopted by 3 of 5 schools (Eastside and Lincoln in the first school year, Harbor
Early College in October 2025), Pine Valley abandoned them and Cedar Creek started
trying them after the winter convening; grade-check huddles were adopted at Eastside
and are being adapted at Lincoln; Cedar Creek adopted positive phone calls home without
a cycle (its own record); Harbor abandoned missing-work Wednesdays.  In the
Minnesota-like network the Central centre says it is adapting the data meeting protocol.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..store.operations import Transaction
from ..store.schema import ChangeIdea, Network, Site
from ..store.workspace import Workspace

D = dt.date
MICHIGAN = "Great Lakes Focus Schools NIC"
MINNESOTA = "North Star Regional Centers NIC"

#: (school, idea, cycle number, scale, start, end, decision, what was learned, next)
CYCLES: tuple[tuple[str, str, int, str, D, D, str, str, str], ...] = (
    ("Eastside High School", "Grade-check huddles", 1, "9th-grade English and maths",
     D(2025, 10, 6), D(2025, 10, 31), "adapt",
     "The grade report took 10 of the 20 minutes to read; a one-page summary is needed.",
     "Print a one-page summary of students with two or more Ds or Fs."),
    ("Eastside High School", "Grade-check huddles", 2, "Whole 9th-grade team",
     D(2025, 11, 10), D(2025, 12, 12), "adopt",
     "With the summary, every flagged student had a follow-up adult within a week.",
     "Make the huddle part of the team's fortnightly schedule."),
    ("Lincoln High School", "Grade-check huddles", 1, "One 9th-grade team",
     D(2026, 1, 12), D(2026, 2, 6), "adapt",
     "Huddles worked but clashed with the advisory check-in log review.",
     "Move the huddle to Thursday and share the log with the check-in advisors."),
    ("Lincoln High School", "Grade-check huddles", 2, "Two 9th-grade teams",
     D(2026, 3, 2), D(2026, 3, 27), "",
     "", ""),
    ("Pine Valley High School", "Positive phone calls home", 1, "Four teachers",
     D(2025, 10, 13), D(2025, 11, 7), "adapt",
     "Teachers reached only half of the families by phone; texts reached most.",
     "Allow a positive text message in place of a call."),
    ("Harbor Early College", "Missing-work Wednesdays", 1, "9th grade, one Wednesday hour",
     D(2026, 1, 14), D(2026, 2, 11), "abandon",
     "The Wednesday hour clashed with dual-enrolment classes; few students could come.",
     "Look for time inside the advisory block instead."),
)
#: (network, site, idea, status, since, note): statuses the sites wrote themselves
RECORDS: tuple[tuple[str, str, str, str, D, str], ...] = (
    (MICHIGAN, "Cedar Creek Junior-Senior High", "Positive phone calls home", "adopted",
     D(2025, 11, 3), "Adopted at the November staff meeting without a formal cycle: every "
     "9th-grade teacher makes two positive calls home a week."),
    (MICHIGAN, "Cedar Creek Junior-Senior High", "Advisory check-ins", "testing",
     D(2026, 3, 2), "One advisor started the check-in script after the winter convening; "
     "the first PDSA form is being written."),
    (MINNESOTA, "Central Regional Centre", "Monthly data meeting protocol", "adapting",
     D(2025, 9, 15), "Using a 30-minute version with small rural partner schools."),
)


def add_spread(ws: Workspace) -> None:
    """Write the sample's extra cycles and the sites' own spread statuses."""
    with ws.read() as s:
        nets = {n.name: n.id for n in s.scalars(select(Network))}
        sites = {(x.network_id, x.name): x.id for x in s.scalars(select(Site))}
        ideas = {(i.network_id, i.title): i.id for i in s.scalars(select(ChangeIdea))}
    mi = nets[MICHIGAN]
    with ws.ops.batch("Sample spread of change ideas") as t:
        for school, idea, n, scale, start, end, decision, learned, nxt in CYCLES:
            _cycle(t, sites[(mi, school)], ideas[(mi, idea)], idea, n, scale, start, end,
                   decision, learned, nxt)
        for net, site, idea, status, since, note in RECORDS:
            t.create("change_adoption", site_id=sites[(nets[net], site)],
                     change_idea_id=ideas[(nets[net], idea)], status=status, since=since,
                     note=note)


def _cycle(t: Transaction, site: str, idea: str, title: str, number: int, scale: str,
           start: D, end: D, decision: str, learned: str, nxt: str) -> None:
    t.create("pdsa_cycle", site_id=site, change_idea_id=idea,
             title=f"{title}, cycle {number}", cycle_number=number, scale=scale,
             start_date=start, end_date=end,
             objective=f"Find out whether “{title}” works at this scale.",
             do_what_happened="Ran as planned." if decision else "",
             study_learned=learned, decision=decision, act_next=nxt)
