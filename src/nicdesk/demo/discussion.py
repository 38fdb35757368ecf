"""The sample's conversations: a question asked at one school and answered from another
through the hub, a resolved thread on a chart point, a coach's request on a meeting, and
coaching feedback on a few cycles (one latest cycle still owed), all through the same
operations a person uses.  Times are fixed text, so the sample stays deterministic."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..store.ops.discussion import give_feedback, post_comment
from ..store.schema import Measure, Meeting, Member, PdsaCycle, Site
from ..store.workspace import Workspace


def _ids(ws: Workspace) -> tuple[dict[str, str], dict[tuple[str, str], str], dict[str, str]]:
    with ws.read() as s:
        members = {m.name: m.id for m in s.scalars(select(Member))}
        sites = {x.id: x.name for x in s.scalars(select(Site))}
        cycles = {(sites[c.site_id], c.title): c.id for c in s.scalars(select(PdsaCycle))}
        meetings = {m.title: m.id for m in s.scalars(select(Meeting))}
        sites_by_name = {name: sid for sid, name in sites.items()}
    return members, cycles, {**meetings, **{f"site:{k}": v for k, v in sites_by_name.items()}}


def add_discussion(ws: Workspace) -> None:
    """Comments and coaching feedback in the Michigan network (and one in Minnesota);
    the on-track measure's March 2025 point at Lincoln is discussed."""
    people, cycles, places = _ids(ws)
    with ws.read() as s:
        measure_id = s.scalars(select(Measure.id).where(
            Measure.name == "9th graders on track")).one()

    def say(who: str, kind: str, subject: str, text: str, posted: str, **kw: object) -> str:
        return post_comment(ws, subject_kind=kind, subject_id=subject, text=text,
                            author_id=people[who], posted=posted, **kw).id  # type: ignore[arg-type]

    pine = cycles[("Pine Valley High School", "Advisory check-ins, cycle 1")]
    question = say("James Whitehorse", "pdsa_cycle", pine,
                   "@Robert Tran testing took our advisory time in February. How did "
                   "Eastside keep the check-ins going?", "2026-03-02T15:10:00Z")
    say("Robert Tran", "pdsa_cycle", pine, "We moved check-ins to the first five minutes of "
        "2nd period on test weeks, and the 9th-grade lead covered absent advisors.",
        "2026-03-04T08:25:00Z", parent_id=question)
    lincoln = places["site:Lincoln High School"]
    point = say("Keisha Moore", "measure", measure_id,
                "@Marcus Oyelaran is our March jump a real shift, or the new grading "
                "window?", "2025-04-07T10:00:00Z", point_period=dt.date(2025, 3, 1))
    say("Marcus Oyelaran", "measure", measure_id, "Real: the grading window is the same "
        "as last year, and the jump follows check-ins reaching every 9th-grade advisory.",
        "2025-04-08T13:40:00Z", parent_id=point)
    with ws.ops.batch("Resolve a thread") as t:
        t.update("comment", point, resolved=True)
    say("Priya Raman", "meeting", places["Winter convening"],
        "@Keisha Moore could you share the check-in log template before the 20th? Harbor "
        "wants to start with it.", "2026-02-13T09:05:00Z")
    say("Keisha Moore", "site", lincoln, "@Marcus Oyelaran could the March data walk "
        "include Harbor's first weeks of check-ins?", "2026-02-27T16:30:00Z")

    ws.set_meta(member_id=people["Marcus Oyelaran"])  # the sample speaks as the hub's coordinator
    harbor = "Harbor Early College"
    feedback = [
        ("Priya Raman", (harbor, "Advisory check-ins, cycle 1"), dt.date(2025, 9, 24),
         dict(strengths="A clear prediction for every question, and the log kept daily.",
              question="What did students say when asked who their advisor was?",
              suggestion="Add the two-question exit ticket before scaling up.",
              next_step="Try three advisors for two weeks.")),
        ("Priya Raman", (harbor, "Advisory check-ins, cycle 2"), dt.date(2025, 10, 22),
         dict(strengths="The scale-up kept the same script, so results compare.",
              next_step="Share the log template with the network.")),
        ("Tom Haverkamp", ("Pine Valley High School", "Advisory check-ins, cycle 1"),
         dt.date(2025, 2, 18),
         dict(strengths="Abandoning early, with the reason written down, saved a term.",
              question="Is there another protected time in the week?",
              suggestion="Look at Eastside's test-week plan before the next cycle.")),
    ]
    for coach, cycle, given, texts in feedback:
        give_feedback(ws, cycles[cycle], author_id=people[coach], given=given, **texts)
    minnesota = next((c for c in sorted(cycles) if c[0].endswith("Regional Centre")), None)
    facilitator = next((p for p in sorted(people) if p.startswith("Facilitator")), None)
    if minnesota and facilitator:
        give_feedback(ws, cycles[minnesota], author_id=people[facilitator],
                      given=dt.date(2026, 1, 20),
                      strengths="The team studied attendance by week, not only by term.",
                      next_step="Test the family text message with one more grade.")


def remember_counts(ws: Workspace) -> None:
    """Keep each network's Inbox count in the sample's meta, as the open window would,
    so the first look at the sample labels "Inbox (1)" as the open workspace does."""
    from ..store.schema import Network
    from ..store.views.inbox import remember_inbox_counts

    with ws.read() as s:
        networks = list(s.scalars(select(Network.id)))
    remember_inbox_counts(ws, networks)
