"""Charts by student group, gaps and network views by group on a constructed workspace
(`tests/equity_data.py`): groups never mix, small cells never leave the store, the gap
reads as it should and the aim's progress is in words."""

from __future__ import annotations

import pytest

from nicdesk.store.views import equity as ev
from nicdesk.store.views import network as nv
from nicdesk.store.views.series import measure_series
from nicdesk.store.workspace import Workspace

from ..equity_data import SWD, SWD_ON_TRACK, WEEKS, add_gap_aim, build

pytestmark = pytest.mark.filterwarnings("ignore")


def test_the_all_students_chart_reads_no_group_value(workspace: Workspace) -> None:
    ids = build(workspace)
    series = measure_series(workspace, ids["m"], ids["Alpha"])
    assert [p.period for p in series.points] == WEEKS
    assert {p.denominator for p in series.points} == {200}


def test_group_panels_share_a_scale_and_hide_small_cells(workspace: Workspace) -> None:
    ids = build(workspace)
    view = ev.measure_group_view(workspace, ids["m"], ids["Alpha"], ids["d_dim"])
    assert view is not None
    by = {p.name: p for p in view.panels}
    assert list(by) == ["All students", "Students with disabilities",
                        "Students without disabilities"]
    # 6 students: primary; the others: complementary (200 − 6 would give them away)
    assert by["Students with disabilities"].points == ()
    assert by["Students with disabilities"].suppressed == len(WEEKS)
    assert by["Students without disabilities"].points == ()
    assert "n < 10" in by["Students with disabilities"].explanation
    assert len(by["All students"].points) == len(WEEKS)
    for panel in view.panels:
        assert all(p.denominator != SWD and p.numerator != SWD_ON_TRACK for p in panel.points)
    el = ev.measure_group_view(workspace, ids["m"], ids["Alpha"], ids["el_dim"])
    assert el is not None
    low, high = el.y_range
    assert low == min(v for p in el.panels for v in p.analysis.y)
    assert high == max(v for p in el.panels for v in p.analysis.y)


def test_the_gap_narrows_at_alpha_and_widens_at_beta(workspace: Workspace) -> None:
    ids = build(workspace)
    alpha = ev.measure_group_view(workspace, ids["m"], ids["Alpha"], ids["el_dim"])
    beta = ev.measure_group_view(workspace, ids["m"], ids["Beta"], ids["el_dim"])
    assert alpha.gap is not None and beta.gap is not None
    assert alpha.gap.focus == "English learners" and alpha.gap.reference == "All students"
    assert alpha.gap.words.startswith(
        "Gap between English learners and all students narrowed: shift of ")
    assert beta.gap.words.startswith(
        "Gap between English learners and all students widened: shift of ")
    # each gap point is EL − all students, as stored
    first = alpha.gap.judgement.points[0]
    el = alpha.panels[1].points[0]
    everyone = alpha.panels[0].points[0]
    assert first.value == pytest.approx(el.numerator / el.denominator
                                        - everyone.numerator / everyone.denominator)


def test_a_gap_with_a_hidden_group_has_no_value(workspace: Workspace) -> None:
    ids = build(workspace)
    view = ev.measure_group_view(workspace, ids["m"], ids["Alpha"], ids["d_dim"])
    assert view.gap is not None
    assert view.gap.judgement.points == ()
    assert view.gap.judgement.series.suppressed == len(WEEKS)
    assert "not shown — every period has a group too small to show" in view.gap.words


def test_the_gap_aim_chooses_the_groups_and_reports_progress(workspace: Workspace) -> None:
    ids = build(workspace)
    aim = add_gap_aim(workspace, ids)
    view = ev.measure_group_view(workspace, ids["m"], ids["Alpha"], ids["el_dim"])
    assert view.gap is not None and view.gap.aim is not None and view.gap.aim.id == aim
    assert view.gap.chart_series().measure.target == pytest.approx(-0.10)
    words = view.gap.aim.progress
    assert words.startswith("Aim: gap from −24.0 points to −10.0 points by 30 Jun 2026; latest ")
    latest = view.gap.judgement.series.latest
    share = (-0.24 - latest.gap) / (-0.24 + 0.10)
    assert f"{share:.0%} of the way" in words


def test_network_views_for_one_group(workspace: Workspace) -> None:
    ids = build(workspace)
    with workspace.read() as s:
        sm = nv.small_multiples(s, ids["m"], group_id=ids["EL"])
        everyone = nv.small_multiples(s, ids["m"])
        spots = nv.bright_spots(s, ids["net"], group_id=ids["EL"])
        swd = nv.small_multiples(s, ids["m"], group_id=ids["SWD"])
        fun = nv.funnel_view(s, ids["m"], group_id=ids["EL"])
    by = {p.name: p for p in sm.panels}
    assert by["Alpha"].points[0].denominator == 40
    assert by["Alpha"].signal == "improvement" and by["Beta"].signal == "concern"
    assert by["Gamma"].status == "no data"
    assert {p.denominator for p in everyone.panels[0].points} == {200}
    assert [(b.site, b.assessment) for b in spots][:1] == [("Alpha", "improvement")]
    assert spots[0].cycles and spots[0].cycles[0][1].startswith("Check-in")
    assert all(p.status == "suppressed" and not p.points for p in swd.panels
               if p.name in ("Alpha", "Beta"))
    sizes = {r.name: r.size for r in fun.funnel.rows}
    assert sizes["Alpha"] == 40 * len(WEEKS)


def test_a_group_recoverable_by_subtraction_is_hidden_across_sites(workspace: Workspace) -> None:
    from nicdesk.store.views import network_groups as ng

    ids = build(workspace)
    with workspace.read() as s:
        plain = nv.small_multiples(s, ids["m"], group_id=ids["nonSWD"])
        fair = ng.group_multiples(s, ids["m"], ids["nonSWD"])
        el = ng.group_multiples(s, ids["m"], ids["EL"])
    # primary suppression alone would show 194 students without disabilities, and
    # 200 − 194 gives away the 6 with disabilities
    assert {p.denominator for p in plain.panels[0].points} == {200 - SWD}
    by = {p.name: p for p in fair.panels}
    assert by["Alpha"].status == "suppressed" and by["Alpha"].points == []
    assert by["Alpha"].analysis is None
    signals = {p.name: p.signal for p in el.panels}
    assert signals["Alpha"] == "improvement" and signals["Beta"] == "concern"
    assert set(signals.values()) == {"improvement", "concern", ""}


def test_schools_like_restrict_every_view(workspace: Workspace) -> None:
    from nicdesk.store.views import network_groups as ng

    ids = build(workspace)
    with workspace.read() as s:
        like = ng.schools_like(s, ids["net"], ids["Alpha"], k=1)
        assert like is not None and like.school_year == "2025-26"
        # Theta (205, 42 English learners) is nearer to Alpha (200, 40) than Beta (210, 45)
        assert [n.name for n in like.neighbours] == ["Theta"]
        context = like.restrict(nv.ALL_SITES)
        sm = ng.group_multiples(s, ids["m"], ids["EL"], context)
        spots = ng.group_bright_spots(s, ids["net"], ids["EL"], context)
        assert ng.schools_like(s, ids["net"], ids["hub"]) is None  # no enrolment
    assert sorted(p.name for p in sm.panels) == ["Alpha", "Theta"]
    assert context.describe() == "schools like Alpha (2025-26 enrolment, 1 nearest)"
    assert {b.site for b in spots} == {"Alpha"}  # Beta's concern is not among them


def test_a_group_funnel_leaves_out_totals_that_subtraction_would_reveal(
        workspace: Workspace) -> None:
    from nicdesk.store.views import network_groups as ng

    ids = build(workspace)
    with workspace.read() as s:
        sm = ng.group_multiples(s, ids["m"], ids["nonSWD"], analyse=False)
        view = ng.group_funnel(s, ids["m"], sm)
        el = ng.group_funnel(s, ids["m"], ng.group_multiples(s, ids["m"], ids["EL"]))
    shown = {r.name for r in view.funnel.rows} if view.funnel else set()
    assert not shown & {"Alpha", "Beta"}
    assert {name for name, _why in view.excluded} >= {"Alpha", "Beta"}
    assert {r.name for r in el.funnel.rows} >= {"Alpha", "Beta"}


def test_the_matrix_honours_the_comparison_set(workspace: Workspace) -> None:
    from nicdesk.store.views import evidence
    from nicdesk.store.views import network_groups as ng

    ids = build(workspace)
    with workspace.read() as s:
        like = ng.schools_like(s, ids["net"], ids["Alpha"], k=1)
        everyone = evidence.change_matrix(s, ids["net"])
        matrix = evidence.change_matrix(s, ids["net"], like.restrict(nv.ALL_SITES))
    assert len(everyone.sites) > 2
    assert {name for _id, name in matrix.sites} == {"Alpha", "Theta"}


def test_a_site_meetings_equity_has_its_own_gap_and_no_network_one(
        workspace: Workspace) -> None:
    from nicdesk.store.views.equity_packet import read_equity

    ids = build(workspace)
    add_gap_aim(workspace, ids, site=None)
    with workspace.read() as s:
        network = read_equity(s, ids["net"], {ids[n] for n in ("Alpha", "Beta", "Gamma")},
                              None, WEEKS[-1])
        school = read_equity(s, ids["net"], {ids["Alpha"]}, ids["Alpha"], WEEKS[-1])
    assert len(network) == 1 and network[0].network is not None
    assert [g.site for g in network[0].sites] == ["Alpha", "Beta"]  # Gamma: no group data
    assert network[0].network.aim is not None
    assert len(school) == 1 and school[0].network is None
    assert [g.site for g in school[0].sites] == ["Alpha"]
    assert school[0].sites[0].gap.words.startswith(
        "Gap between English learners and all students narrowed")
