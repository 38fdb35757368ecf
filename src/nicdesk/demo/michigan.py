"""The Michigan-like sample network: a state agency, two intermediate school districts,
two districts and five focus schools."""

from __future__ import annotations

import datetime as dt

from ..core.model import DEFAULT_FISHBONE_CATEGORIES
from ..store.ops.diagrams import load_diagram
from ..store.workspace import Workspace
from .common import _Builder, school_months, school_weeks


# ------------------------------------------------------------------ Michigan-like network
def _michigan(ws: Workspace, b: _Builder) -> str:
    weeks, months = school_weeks(), school_months()
    change_start = dt.date(2025, 1, 6)
    with ws.ops.batch("Create sample network: Michigan") as t:
        net = t.create(
            "network",
            name="Great Lakes Focus Schools NIC",
            common_aim="Narrow achievement gaps in our focus schools: by June 2027, 85 % of "
            "9th graders in every focus school are on track to graduate, for every student group.",
            description="Five focus schools in two districts, supported by their intermediate "
            "school districts and the state agency, learning together how to keep 9th "
            "graders on track.",
            suppression_threshold=10,
            created=dt.date(2024, 8, 15),
        )
        t.create(
            "charter", network_id=net,
            roles="State agency: convenes the network, provides the improvement advisor.\n"
            "ISD coaches: facilitate school teams, collect and share data monthly.\n"
            "School teams: principal, 9th-grade teachers, counsellor; run PDSA cycles.\n"
            "Research partner: analyses network data, runs the convenings' data sessions.",
            norms="We share our data, including what did not work.\n"
            "We test small before we spread.\nWe protect student privacy: counts under "
            "10 are never shown outside the school.\nWe come to every convening with a "
            "PDSA to share.",
            cadence="Monthly 90-minute network call; quarterly in-person convening; school "
            "teams meet weekly for 30 minutes.",
        )
        state = b.site(t, net, "State Office of School Improvement", "state agency")
        lakeshore = b.site(t, net, "Lakeshore ISD", "intermediate agency", state, locale="city")
        riverbend = b.site(t, net, "Riverbend ISD", "intermediate agency", state, locale="rural")
        harbor = b.site(t, net, "Harbor City Public Schools", "district", lakeshore, locale="city")
        pine = b.site(t, net, "Pine Valley Schools", "district", riverbend, locale="rural")
        schools = {
            "Lincoln High School": b.site(t, net, "Lincoln High School", "school", harbor,
                                          grade_band="9-12", enrolment="large", locale="city"),
            "Eastside High School": b.site(t, net, "Eastside High School", "school", harbor,
                                           grade_band="9-12", enrolment="medium", locale="city"),
            "Harbor Early College": b.site(t, net, "Harbor Early College", "school", harbor,
                                           grade_band="9-12", enrolment="small", locale="city"),
            "Pine Valley High School": b.site(t, net, "Pine Valley High School", "school", pine,
                                              grade_band="9-12", enrolment="medium",
                                              locale="rural"),
            "Cedar Creek Junior-Senior High": b.site(t, net, "Cedar Creek Junior-Senior High",
                                                     "school", pine, grade_band="7-12",
                                                     enrolment="small", locale="rural"),
        }
        b.members(t, state, [("Dana Whitfield", "state lead", "Convenes the NIC"),
                             ("Marcus Oyelaran", "coordinator", "Runs the network hub and data")])
        b.members(t, lakeshore, [("Priya Raman", "coach", "Improvement coach for Harbor City")])
        b.members(t, riverbend, [("Tom Haverkamp", "coach", "Improvement coach for Pine Valley")])
        b.members(t, harbor, [("Angela Ruiz", "district lead", "Sponsor; removes barriers")])
        b.members(t, pine, [("Greg Lindqvist", "district lead", "Sponsor")])
        principals = ["Keisha Moore", "Robert Tran", "Elena Sokolova", "James Whitehorse",
                      "Maria Delgado"]
        for (school, sid), principal in zip(schools.items(), principals, strict=True):
            b.members(t, sid, [(principal, "principal", f"Leads the {school} team"),
                               (f"{principal.split()[0]}'s 9th-grade lead", "teacher",
                                "Runs the advisory PDSA cycles")])

        on_track = t.create(
            "measure", network_id=net, name="9th graders on track", kind="outcome",
            definition="Numerator: 9th graders with no F in any core course at the end of the "
            "month's grading check. Denominator: all enrolled 9th graders that month.",
            unit="% of 9th graders", data_source="Student information system, monthly export",
            frequency="monthly", direction="up", target=0.85, value_type="proportion",
            chart_kind="p",
        )
        checkins = t.create(
            "measure", network_id=net, name="Weekly advisory check-ins", kind="process",
            definition="Numerator: 9th graders who had a one-to-one check-in with their "
            "advisor this week (advisor's log). Denominator: 9th graders enrolled.",
            unit="% of 9th graders", data_source="Advisory check-in log", frequency="weekly",
            direction="up", target=0.9, value_type="proportion", chart_kind="run",
        )
        referrals = t.create(
            "measure", network_id=net, name="Office discipline referrals (9th grade)",
            kind="balancing",
            definition="Count of office discipline referrals for 9th graders per school week.",
            unit="referrals per week", data_source="Behaviour tracking system",
            frequency="weekly", direction="down", value_type="count", chart_kind="c",
        )
        t.create("aim", network_id=net, statement="By June 2027, 85 % of 9th graders in every "
                 "focus school are on track (no core-course F).", measure_id=on_track,
                 baseline_value=0.66, baseline_date=dt.date(2024, 9, 1), target_value=0.85,
                 deadline=dt.date(2027, 6, 30), population="All 9th graders in the five focus "
                 "schools")
        for school, sid in schools.items():
            t.create("aim", network_id=net, site_id=sid, statement=f"By June 2027, 85 % of "
                     f"{school} 9th graders are on track, with the gap between student groups "
                     "halved.", measure_id=on_track, baseline_value=0.66,
                     baseline_date=dt.date(2024, 9, 1), target_value=0.85,
                     deadline=dt.date(2027, 6, 30), population=f"9th graders at {school}")

        # driver diagram (network theory), adopted by Lincoln
        dd = t.create("driver_diagram", network_id=net, name="Theory of improvement: "
                      "9th grade on track")
        aim_node = t.create("driver_node", diagram_id=dd, level="aim", text="85 % of 9th "
                            "graders on track by June 2027")
        primaries = [t.create("driver_node", diagram_id=dd, level="primary", text=txt,
                              position=i) for i, txt in enumerate([
                                  "Every student is known by an adult",
                                  "Early warning data drive action",
                                  "Instruction engages 9th graders"])]
        secondaries = [t.create("driver_node", diagram_id=dd, level="secondary", text=txt,
                                position=i, status=st) for i, (txt, st) in enumerate([
                                    ("Regular one-to-one advisory contact", "evidence of improvement"),
                                    ("Family outreach within a week of a warning sign", "testing"),
                                    ("Grade-level teams review grades every two weeks", "testing"),
                                    ("Recovery of missing work before grades close", "hypothesis"),
                                    ("Relevant, active lessons in core courses", "hypothesis")])]
        for p in primaries:
            t.create("driver_link", diagram_id=dd, parent_node_id=aim_node, child_node_id=p)
        for parent, child in [(0, 0), (0, 1), (1, 2), (1, 3), (2, 4), (1, 1)]:
            t.create("driver_link", diagram_id=dd, parent_node_id=primaries[parent],
                     child_node_id=secondaries[child])
        ideas_text = [("Advisory check-ins", "Each advisor meets each advisee for five minutes "
                       "every week, using a short script and a log.", [0, 1]),
                      ("Grade-check huddles", "Teachers meet every other Friday for 20 "
                       "minutes to review the grade report and assign a follow-up adult.", [2]),
                      ("Missing-work Wednesdays", "A protected hour each Wednesday to "
                       "complete missing assignments with support.", [3]),
                      ("Positive phone calls home", "Each teacher makes two positive calls "
                       "home per week to families of 9th graders.", [1])]
        ideas = {}
        for i, (title, desc, secs) in enumerate(ideas_text):
            node = t.create("driver_node", diagram_id=dd, level="change idea", text=title,
                            description=desc, position=i,
                            status="evidence of improvement" if i == 0 else "testing")
            for s in secs:
                t.create("driver_link", diagram_id=dd, parent_node_id=secondaries[s],
                         child_node_id=node)
            ideas[title] = t.create("change_idea", network_id=net, node_id=node, title=title,
                                    description=desc)
        t.create("node_measure", node_id=aim_node, measure_id=on_track)
        t.create("node_measure", node_id=secondaries[0], measure_id=checkins)
        t.session.flush()  # the theory as it stands, kept as the launch convening's version
        t.create("diagram_snapshot", diagram_id=dd, name="Launch convening theory",
                 taken=dt.date(2024, 10, 10), content=load_diagram(t.session, dd).version())

        # fishbone at Lincoln
        lincoln = schools["Lincoln High School"]
        fb = t.create("fishbone", network_id=net, site_id=lincoln, title="Why do 9th graders "
                      "fall off track?", problem="One in three Lincoln 9th graders fails at "
                      "least one core course in the first semester.")
        cats = {name: t.create("fishbone_category", fishbone_id=fb, name=name, position=i)
                for i, name in enumerate(DEFAULT_FISHBONE_CATEGORIES)}
        causes = [
            ("Students", "Students do not ask for help when they fall behind", 7, True,
             "Empathy interviews with 12 students, Oct 2024",
             ["They don't know who to ask", "No adult checks in regularly",
              "Advisory period is used for announcements"]),
            ("Students", "Many absences in the first six weeks", 4, False, "Attendance data", []),
            ("Teachers & Instruction", "Grades are reviewed only at the end of the marking period",
             6, True, "Teacher survey: 70 % look at grades monthly or less", []),
            ("Curriculum & Materials", "Missing work piles up with no recovery routine", 3,
             False, "", []),
            ("Families & Community", "Families hear from school only when there is a problem",
             5, False, "Parent focus group", []),
            ("School Systems & Policies", "No time in the schedule for teacher teams", 2, False,
             "", []),
            ("Leadership & Culture", "Belief that 9th graders must 'sink or swim'", 3, False,
             "Staff meeting notes", []),
        ]
        for i, (cat, text, votes, root, evidence, whys) in enumerate(causes):
            kind = ("empathy interview" if "interview" in evidence or "focus group" in evidence
                    else "data" if "data" in evidence or "survey" in evidence
                    else "observation" if evidence else "hunch")
            cid = t.create("cause", fishbone_id=fb, category_id=cats[cat], text=text,
                           votes=votes, is_root=root, evidence=evidence, evidence_kind=kind,
                           whys=whys, position=i)
            if cat == "Students" and i == 0:
                t.create("cause", fishbone_id=fb, category_id=cats[cat], parent_id=cid,
                         text="Students feel no adult knows them", votes=2, position=0)
                t.create("cause_driver_link", cause_id=cid, node_id=secondaries[0])

        # PDSA ramps for advisory check-ins
        ramps = {
            "Lincoln High School": [("1 advisor, 15 students", "adapt", dt.date(2025, 1, 6)),
                                    ("9th-grade team, 4 advisors", "adapt", dt.date(2025, 1, 27)),
                                    ("All 9th-grade advisories", "adopt", dt.date(2025, 3, 3))],
            "Eastside High School": [("2 advisors", "adapt", dt.date(2025, 1, 13)),
                                     ("All 9th-grade advisories", "adopt", dt.date(2025, 2, 10))],
            "Harbor Early College": [("1 advisor", "adapt", dt.date(2025, 9, 8)),
                                     ("3 advisors", "adopt", dt.date(2025, 10, 6))],
            "Pine Valley High School": [("1 advisor", "abandon", dt.date(2025, 2, 3))],
        }
        idea = ideas["Advisory check-ins"]
        for school, cycles in ramps.items():
            sid = schools[school]
            ramp = t.create("pdsa_ramp", site_id=sid, change_idea_id=idea,
                            title="Advisory check-ins")
            for n, (scale, decision, start) in enumerate(cycles, start=1):
                cyc = t.create(
                    "pdsa_cycle", ramp_id=ramp, site_id=sid, change_idea_id=idea,
                    title=f"Advisory check-ins, cycle {n}", cycle_number=n, scale=scale,
                    start_date=start, end_date=start + dt.timedelta(days=13),
                    objective="Find out whether a five-minute weekly check-in is feasible and "
                    "whether students name their advisor as an adult they can go to.",
                    logistics="Advisors use the check-in script during advisory, Monday–"
                    "Wednesday; the 9th-grade lead collects logs on Friday.",
                    data_collection="Check-in log (who, when, one-line note); two-question "
                    "student exit ticket.",
                    do_what_happened="Check-ins happened in most advisories; assemblies took "
                    "one Monday.", do_observations="Students liked the short format.",
                    do_problems="Logs were kept on paper and got lost." if n == 1 else "",
                    study_learned="Check-ins are feasible when the log is on the advisor's "
                    "laptop." if decision != "abandon" else "Advisory time was taken by "
                    "testing this term; not feasible now.",
                    decision=decision,
                    act_next="Expand to the whole 9th-grade team." if decision == "adapt"
                    else ("Make check-ins standard practice." if decision == "adopt" else
                          "Revisit next school year with a protected advisory block."),
                    private_notes="Two students disclosed concerns; followed up with counsellor."
                    if n == 1 else "",
                )
                t.create("pdsa_question", cycle_id=cyc, position=0, question="Can advisors "
                         "check in with every advisee each week?", prediction="Yes, at least "
                         "80 % of students get a check-in.", result="82 %" if decision != "abandon"
                         else "35 %")
                t.create("pdsa_question", cycle_id=cyc, position=1, question="Will students "
                         "name their advisor as a trusted adult?", prediction="More than half "
                         "will.", result="61 % did")
                t.create("pdsa_measure", cycle_id=cyc, measure_id=checkins)

        t.create("chart_phase", measure_id=on_track, site_id=lincoln, kind="baseline freeze",
                 start=dt.date(2025, 2, 1), reason="Baseline Sep 2024 – Jan 2025, before "
                 "advisory check-ins")
        for school, start in (("Lincoln High School", change_start),
                              ("Eastside High School", dt.date(2025, 1, 13))):
            t.create("chart_phase", measure_id=checkins, site_id=schools[school],
                     kind="baseline freeze", start=start,
                     reason="Baseline before the first advisory check-in cycle")
        t.create("annotation", measure_id=on_track, site_id=lincoln, date=dt.date(2025, 3, 3),
                 text="Check-ins in all 9th-grade advisories")

        fall = t.create("meeting", network_id=net, title="Fall convening",
                        date=dt.date(2025, 10, 16), start_time="09:00",
                        place="Riverbend ISD training room", attendees=["Dana Whitfield",
                                                                       "Marcus Oyelaran"],
                        decisions="Harbor Early College starts advisory check-ins.")
        t.create("agenda_item", meeting_id=fall, title="Launch of the 2025-26 PDSA ramps",
                 minutes=60, owner="Marcus Oyelaran")
        t.create("action_item", meeting_id=fall, text="Interview Pine Valley advisors about "
                 "protected advisory time", owner="Tom Haverkamp", due=dt.date(2025, 12, 1))
        t.create("action_item", meeting_id=fall, text="Send the check-in script to Harbor "
                 "Early College", owner="Keisha Moore", due=dt.date(2025, 10, 31), done=True)
        meeting = t.create(
            "meeting", network_id=net, title="Winter convening", date=dt.date(2026, 2, 12),
            start_time="15:30", place="Lakeshore ISD conference centre, room B",
            attendees=["Dana Whitfield", "Marcus Oyelaran", "Priya Raman", "Tom Haverkamp",
                       *principals],
            notes="Lincoln and Eastside shared their advisory check-in ramps; Pine Valley "
            "explained why they paused.",
            decisions="Spread advisory check-ins to all five schools in the 2026-27 school "
            "year, starting with one advisor per school.",
        )
        for i, (title, minutes, owner, material) in enumerate([
                ("Welcome and aim check", 10, "Dana Whitfield", "Aim"),
                ("Data walk: on-track small multiples", 25, "Marcus Oyelaran",
                 "Run charts, funnel plot"),
                ("Bright spots: Lincoln and Eastside ramps", 30, "Keisha Moore",
                 "PDSA summaries"),
                ("Planning next PDSA cycles", 20, "Priya Raman", "Driver diagram"),
                ("Reflection and next steps", 5, "Dana Whitfield", "Action items")]):
            t.create("agenda_item", meeting_id=meeting, position=i, title=title,
                     minutes=minutes, owner=owner, material=material)
        for text, owner, due in [("Share check-in log template", "Keisha Moore",
                                  dt.date(2026, 2, 20)),
                                 ("Draft spread plan for 2026-27", "Priya Raman",
                                  dt.date(2026, 3, 15))]:
            t.create("action_item", meeting_id=meeting, text=text, owner=owner, due=due)

    # data: signals at the adopters, none elsewhere
    profile = {  # school: (grade size, base on-track, lift, base check-in, change start)
        "Lincoln High School": (320, 0.64, 0.12, 0.32, change_start),
        "Eastside High School": (210, 0.68, 0.10, 0.30, dt.date(2025, 1, 13)),
        "Harbor Early College": (90, 0.74, 0.0, 0.40, dt.date(2025, 9, 8)),
        "Pine Valley High School": (180, 0.70, 0.0, 0.28, None),
        "Cedar Creek Junior-Senior High": (60, 0.72, 0.0, 0.35, None),
    }
    for school, (n, base, lift, base_ci, changed) in profile.items():
        sid = schools[school]
        b.proportion_series(on_track, sid, months, n, base, lift,
                            changed + dt.timedelta(days=30) if changed and lift else None,
                            ramp_periods=3)
        b.proportion_series(checkins, sid, weeks, n, base_ci,
                            0.45 if changed else 0.0, changed, ramp_periods=4)
        b.count_series(referrals, sid, weeks, mean=n / 30)
    return state


