"""The readers screens use (`store.views.records`, `.pdsa`, `.meetings`, `.diagrams`,
`.measures`): they take the workspace and ids, return plain values — never an ORM row —
and show what the screens show (issue #17)."""

from __future__ import annotations

import datetime as dt

from nicdesk.store.ops import diagrams as dops
from nicdesk.store.ops import fishbones as fops
from nicdesk.store.ops import pdsa as pops
from nicdesk.store.views import diagrams as dv
from nicdesk.store.views import meetings as mv
from nicdesk.store.views import pdsa as pv
from nicdesk.store.views import records as rv
from nicdesk.store.views.measures import measure_page
from tests.view_models import assert_plain


# ------------------------------------------------------------------ records
def test_record_view_is_plain_values_of_one_record(workspace, network) -> None:
    ws = workspace
    site = ws.ops.create("site", network_id=network, name="Lincoln",
                         context_tags={"locale": "city"}).id
    view = rv.record_view(ws, "site", site)
    assert view is not None
    assert_plain(view)
    assert (view.kind, view.id, view.deleted) == ("site", site, False)
    assert view["name"] == "Lincoln" and view["network_id"] == network
    assert view.get("context_tags") == {"locale": "city"}
    assert view.get("no such field", "—") == "—"
    assert "hlc" not in view.values and "field_clocks" not in view.values
    view["context_tags"]["locale"] = "rural"  # a copy: the store is not touched
    assert rv.record_view(ws, "site", site)["context_tags"] == {"locale": "city"}  # type: ignore[index]
    ws.ops.delete("site", site)
    gone = rv.record_view(ws, "site", site)
    assert gone is not None and gone.deleted
    assert rv.record_view(ws, "site", "no-such-id") is None
    assert rv.site_name(ws, site) == "Lincoln"  # a tombstoned site keeps its name
    assert rv.site_name(ws, None) is None and rv.site_name(ws, "nope") is None


def test_existing_ids_keeps_order_and_kind(workspace, network) -> None:
    ws = workspace
    a = ws.ops.create("site", network_id=network, name="A").id
    b = ws.ops.create("site", network_id=network, name="B").id
    assert rv.existing_ids(ws, "site", [b, "x", a, network]) == [b, a]


def test_sites_members_and_measures(workspace, network) -> None:
    ws = workspace
    district = ws.ops.create("site", network_id=network, name="District", kind="district").id
    school = ws.ops.create("site", network_id=network, name="Alder School",
                           parent_id=district).id
    other = ws.ops.create("site", network_id=network, name="Birch School").id
    ws.ops.create("member", site_id=school, name="Zoe", role="teacher")
    ws.ops.create("member", site_id=school, name="Ann", role="coach", norms_accepted=True)
    gone = ws.ops.create("member", site_id=school, name="Gone").id
    ws.ops.delete("member", gone)
    ws.ops.create("measure", network_id=network, name="Attendance", value_type="proportion")
    dropped = ws.ops.create("measure", network_id=network, name="Dropped").id
    ws.ops.delete("measure", dropped)
    other_net = ws.ops.create("network", name="Other NIC").id
    ws.ops.create("measure", network_id=other_net, name="Elsewhere")

    sites = rv.sites_in_network(ws, network)
    assert_plain(sites)
    assert [s.name for s in sites] == ["Alder School", "Birch School", "District"]
    assert next(s for s in sites if s.id == school).parent_id == district
    assert rv.site_descendants(ws, network, district) == {district, school}
    assert rv.site_descendants(ws, network, other) == {other}

    members = rv.members_of_site(ws, school)
    assert_plain(members)
    assert [(m.name, m.role, m.norms_accepted) for m in members] == [
        ("Ann", "coach", True), ("Zoe", "teacher", False)]

    measures = rv.measures_of_network(ws, network)
    assert [(m.name, m.value_type) for m in measures] == [("Attendance", "proportion")]
    assert {m.name for m in rv.measures_of_network(ws)} == {"Attendance", "Elsewhere"}


def test_write_blocks_follow_the_single_writer_rules(workspace, network) -> None:
    ws = workspace
    mine = ws.ops.create("site", network_id=network, name="Mine").id
    theirs = ws.ops.create("site", network_id=network, name="Theirs").id
    free = rv.write_blocks(ws, "aim", theirs, ["statement"])
    assert free == rv.WriteBlocks(None, {"statement": None})  # standalone: no rules yet
    assert rv.create_block(ws, "site", None) is None
    ws.set_meta(local_site_id=mine, signing_key="key-of-mine")
    blocks = rv.write_blocks(ws, "aim", theirs, ["statement", "deadline"])
    assert blocks.record is not None and "Theirs" in blocks.record
    assert set(blocks.fields) == {"statement", "deadline"}
    assert all(why and "Theirs" in why for why in blocks.fields.values())
    assert rv.write_blocks(ws, "aim", mine, ["statement"]) == rv.WriteBlocks(
        None, {"statement": None})
    site_fields = rv.write_blocks(ws, "site", mine, ["name", "kind"])
    assert site_fields.fields["name"] is None and site_fields.fields["kind"]  # coordinator's
    assert rv.create_block(ws, "site", None)  # only the coordinator adds sites
    assert rv.create_block(ws, "aim", mine) is None


# ------------------------------------------------------------------ PDSA
def test_pdsa_readers(workspace, network) -> None:
    ws = workspace
    site = ws.ops.create("site", network_id=network, name="S").id
    idea = ws.ops.create("change_idea", network_id=network, title="Calls home").id
    ws.ops.create("change_idea", network_id=network, title="Advisory")
    m1 = ws.ops.create("measure", network_id=network, name="Attendance").id
    ws.ops.create("measure", network_id=network, name="Grades")
    cycle = ws.ops.create("pdsa_cycle", site_id=site, change_idea_id=idea,
                          title="Calls home, cycle 1", start_date="2026-01-05").id
    ws.ops.create("pdsa_question", cycle_id=cycle, question="Second?", position=1)
    ws.ops.create("pdsa_question", cycle_id=cycle, question="First?", prediction="yes",
                  position=0)
    ws.ops.create("pdsa_measure", cycle_id=cycle, measure_id=m1)
    nxt = next(i for i in pops.start_next_cycle(ws, cycle).created
               if i in rv.existing_ids(ws, "pdsa_cycle", [i]) and i != cycle)

    questions = pv.questions_of(ws, cycle)
    assert_plain(questions)
    assert [(q.question, q.prediction) for q in questions] == [("First?", "yes"), ("Second?", "")]

    choices = pv.plan_choices(ws, cycle)
    assert_plain(choices)
    assert [t for t, _ in choices.ideas] == ["Advisory", "Calls home"]
    assert len(choices.ramps) == 1 and choices.linked == [m1]
    assert sorted(choices.measures.values()) == ["Attendance", "Grades"]
    assert pv.plan_choices(ws, "no-such-cycle") == pv.PlanChoices()

    facts = pv.cycle_facts(ws, cycle)
    assert facts is not None and (facts.title, facts.questions, facts.predictions) == (
        "Calls home, cycle 1", 2, 1)
    assert pv.cycle_facts(ws, "no-such-cycle") is None

    ramp = pv.ramp_view(ws, choices.ramps[0][1])
    assert ramp is not None
    assert_plain(ramp)
    assert [(c.id, c.cycle_number) for c in ramp.cycles] == [(cycle, 1), (nxt, 2)]
    assert pv.ramp_view(ws, "no-such-ramp") is None

    rows = pv.cycle_list(ws, site_id=site)
    assert_plain(rows)
    assert {r.id for r in rows} == {cycle, nxt}
    assert {r.id for r in pv.cycle_list(ws, network_id=network)} == {cycle, nxt}
    assert sorted(t for _, t in pv.site_cycles(ws, site)) == [
        "Calls home, cycle 1", "Calls home, cycle 2"]


# ------------------------------------------------------------------ meetings
def test_meeting_readers(workspace, network) -> None:
    ws = workspace
    site = ws.ops.create("site", network_id=network, name="S").id
    ws.ops.create("member", site_id=site, name="bea")
    ws.ops.create("member", site_id=site, name="Al")
    first = ws.ops.create("meeting", network_id=network, title="January",
                          date=dt.date(2026, 1, 10)).id
    later = ws.ops.create("meeting", network_id=network, title="February",
                          date=dt.date(2026, 2, 10)).id
    ws.ops.create("action_item", meeting_id=first, text="Send the charts",
                  due=dt.date(2026, 1, 31))
    ws.ops.create("action_item", meeting_id=first, text="Done already", done=True)
    ws.ops.create("action_item", meeting_id=later, text="Book the room")
    ws.ops.create("agenda_item", meeting_id=later, title="Welcome", minutes=5, position=0)
    ws.ops.create("agenda_item", meeting_id=later, title="Data", minutes=30, position=1,
                  material="run chart")

    assert mv.attendee_choices(ws, later) == ["Al", "bea"]
    assert mv.attendee_choices(ws, "no-such-meeting") == []
    agenda = mv.agenda_of(ws, later)
    assert_plain(agenda)
    assert [(a.title, a.minutes, a.material) for a in agenda] == [
        ("Welcome", 5, ""), ("Data", 30, "run chart")]
    actions = mv.actions_of(ws, later)
    assert_plain(actions)
    assert [(a.text, a.carried, a.overdue, a.agreed_title) for a in actions] == [
        ("Send the charts", True, True, "January"), ("Book the room", False, False, "February")]
    assert actions[0].agreed_date == dt.date(2026, 1, 10)
    assert mv.actions_of(ws, "no-such-meeting") == []


# ------------------------------------------------------------------ diagrams
def test_driver_diagram_readers(workspace, network) -> None:
    ws = workspace
    diagram = dops.new_diagram(ws, network, None, "Theory", "All on track").id
    data = dv.driver_diagram(ws, diagram)
    assert_plain(data)
    aim = next(i for i, n in data.nodes.items() if n.level == "aim")
    primary = next(i for i in dops.add_node(ws, diagram, "primary", "Belonging", aim).created
                   if i in rv.existing_ids(ws, "driver_node", [i]))
    secondary = next(i for i in dops.add_node(ws, diagram, "secondary", "Advisory",
                                              primary).created
                     if i in rv.existing_ids(ws, "driver_node", [i]))
    measure = ws.ops.create("measure", network_id=network, name="Attendance").id
    ws.ops.create("node_measure", node_id=primary, measure_id=measure)
    fishbone = fops.new_fishbone(ws, network, None, "Why absent?").id
    category = dv.fishbone_view(ws, fishbone).categories[0].id
    cause = next(i for i in fops.add_cause(ws, fishbone, category, "No adult knows them").created
                 if i in rv.existing_ids(ws, "cause", [i]))
    fops.link_driver(ws, cause, primary)

    data = dv.driver_diagram(ws, diagram)
    assert_plain(data)
    assert data.diagram.name == "Theory" and not data.diagram.order_pinned
    assert data.parents(secondary) == [primary] and data.children(aim) == [primary]
    assert {n["text"] for n in data.version()["nodes"]} == {"All on track", "Belonging",
                                                            "Advisory"}
    assert secondary in data.layout.boxes
    assert dv.deletion_impact(ws, diagram, primary) == (1, 0)
    details = dv.node_details(ws, primary)
    assert details == dv.NodeDetails(["No adult knows them"], [measure])

    dops.move(ws, data, primary, 1)  # the operation takes the plain view as it took the rows
    dops.save_snapshot(ws, diagram, "Winter", taken=dt.date(2026, 1, 5))
    snaps = dv.diagram_snapshots(ws, diagram)
    assert_plain(snaps)
    assert [(s.name, s.taken) for s in snaps] == [("Winter", dt.date(2026, 1, 5))]
    assert snaps[0].content == dv.driver_diagram(ws, diagram).version()


def test_fishbone_readers(workspace, network) -> None:
    ws = workspace
    fishbone = fops.new_fishbone(ws, network, None, "Why absent?").id
    view = dv.fishbone_view(ws, fishbone)
    assert_plain(view)
    category = view.categories[0].id
    top = next(i for i in fops.add_cause(ws, fishbone, category, "Buses late").created
               if i in rv.existing_ids(ws, "cause", [i]))
    sub = next(i for i in fops.add_cause(ws, fishbone, category, "Roadworks", top).created
               if i in rv.existing_ids(ws, "cause", [i]))
    fops.set_whys(ws, top, ["the route changed", "budget"])
    ws.ops.update("cause", top, votes=3, is_root=True)
    diagram = dops.new_diagram(ws, network, None, "Theory", "All on track").id
    aim = next(i for i, n in dv.driver_diagram(ws, diagram).nodes.items() if n.level == "aim")
    primary = next(i for i in dops.add_node(ws, diagram, "primary", "Transport", aim).created
                   if i in rv.existing_ids(ws, "driver_node", [i]))
    fops.link_driver(ws, top, primary)

    view = dv.fishbone_view(ws, fishbone)
    assert_plain(view)
    assert view.fishbone.problem == "Why absent?" and view.fishbone.network_id == network
    assert view.children(category) == [top] and view.children(top) == [sub]
    cause = view.causes[top]
    assert (cause.votes, cause.is_root, cause.whys) == (3, True, ["the route changed", "budget"])
    assert view.driver_links == {top: ["Transport"]}
    context = dv.cause_context(ws, top)
    assert context.linked_drivers == ["Transport"]
    assert context.driver_choices == [(primary, "Theory › Transport")]
    assert dv.cause_context(ws, "no-such-cause") == dv.CauseContext([], [])


# ------------------------------------------------------------------ measures
def test_measure_page_view(workspace, network) -> None:
    ws = workspace
    site = ws.ops.create("site", network_id=network, name="Lincoln").id
    measure = ws.ops.create("measure", network_id=network, name="Attendance",
                            kind="outcome").id
    ws.ops.create("observation", measure_id=measure, site_id=site, period="2026-01-01",
                  value=0.5, numerator=5, denominator=10)
    network_level = measure_page(ws, measure, None)
    assert network_level is not None
    assert (network_level.measure.name, network_level.site_name, network_level.series) == (
        "Attendance", None, None)
    at_site = measure_page(ws, measure, site)
    assert at_site is not None and at_site.site_name == "Lincoln"
    assert at_site.series is not None and len(at_site.series.points) == 1
    ws.ops.delete("measure", measure)
    assert measure_page(ws, measure, site) is None


def test_network_diagrams_are_the_networks_own(workspace, network) -> None:
    ws = workspace
    site = ws.ops.create("site", network_id=network, name="S").id
    own = dops.new_diagram(ws, network, None, "Network theory", "All on track").id
    dops.new_diagram(ws, network, site, "Site theory", "Ours on track")
    gone = dops.new_diagram(ws, network, None, "Dropped", "Old aim").id
    ws.ops.delete("driver_diagram", gone)
    assert dv.network_diagrams(ws, network) == [(own, "Network theory")]


def test_record_facts_and_navigator(workspace, network) -> None:
    from nicdesk.store.views import navigator as nav

    ws = workspace
    site = ws.ops.create("site", network_id=network, name="Lincoln").id
    aim = ws.ops.create("aim", network_id=network, site_id=site, statement="80 % on track").id
    facts = rv.record_facts(ws, "aim", aim)
    assert facts is not None and facts.id == aim and facts.hlc and facts.open_conflicts == 0
    assert rv.record_facts(ws, "aim", "no-such-aim") is None
    assert rv.is_record_kind("aim") and not rv.is_record_kind("group")

    roots = nav.navigator(ws)
    assert_plain(roots)
    assert [r.label for r in roots] == ["Test NIC"]
    node = nav.find_in_navigator(ws, "Lincoln/Aims")
    assert node is not None and [c.id for c in node.children] == [aim]
    assert nav.find_in_navigator(ws, "Nowhere/At all") is None
    meeting = ws.ops.create("meeting", network_id=network, title="Kick-off").id
    assert nav.summary(ws, "meeting", meeting).title == "Kick-off"
