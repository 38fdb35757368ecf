"""One judgement per series (issue #18, part 2): the measure page, `nicdesk chart` and the
meeting packet all show `core.summary.summarise` of the series *with its phases*.

The packet used to re-analyse each series without its phases, so a rebased or
baseline-frozen series could carry an icon on paper that its chart on screen
contradicted.  These tests pin the rule (a phase boundary is judged per phase) and that
every output asks the same function (the store readers, the CLI and the packet agree on
random series and on every series of the sample workspace)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nicdesk.core.measures import judge_series, summary_chart_kind
from nicdesk.core.signals import RULE_SETS, Phase, Point, analyse_series
from nicdesk.core.states import PhaseKind
from nicdesk.core.summary import POOLED_NOTE, SeriesFacts, SeriesSummary, summarise

# ------------------------------------------------------------------ random series
KINDS = {  # value type -> chart kinds a measure of it may choose
    "proportion": ("run", "p"),
    "continuous": ("run", "i"),
    "count": ("run", "c"),
}


def _month(k: int) -> dt.date:
    return dt.date(2023 + k // 12, k % 12 + 1, 1)


@st.composite
def facts(draw: st.DrawFn) -> tuple[SeriesFacts, str]:
    value_type = draw(st.sampled_from(sorted(KINDS)))
    chart_kind = draw(st.sampled_from(KINDS[value_type]))
    target = draw(st.none() | st.floats(0.05, 0.95) if value_type == "proportion" else
                  st.none() | st.floats(10, 60))
    return (SeriesFacts(chart_kind, value_type, draw(st.sampled_from(("up", "down"))),
                        "monthly", target),
            draw(st.sampled_from(sorted(RULE_SETS))))


@st.composite
def series(draw: st.DrawFn, value_type: str, n: int) -> list[Point]:
    """`n` monthly points of a value type; sizes and counts never small enough to be
    suppressed (10 or more), so a packet may show every one of them."""
    out = []
    for k in range(n):
        if value_type == "proportion":
            den = draw(st.integers(20, 200))
            num = draw(st.integers(0, den))
            out.append(Point(_month(k), num / den, num, den))
        elif value_type == "count":
            out.append(Point(_month(k), float(draw(st.integers(10, 60)))))
        else:
            out.append(Point(_month(k), draw(st.floats(10, 60).map(lambda v: round(v, 2)))))
    return out


@st.composite
def phased(draw: st.DrawFn, kind: str | None = None
           ) -> tuple[SeriesFacts, str, list[Point], int, Phase]:
    """A random measure and series with one phase boundary inside it (index `cut`: the
    first point of the new phase, or the first after the frozen baseline)."""
    f, rules = draw(facts())
    n = draw(st.integers(8, 30))
    points = draw(series(f.value_type, n))
    cut = draw(st.integers(2, n - 2))
    kind = kind or draw(st.sampled_from((PhaseKind.REBASE, PhaseKind.BASELINE_FREEZE)))
    return f, rules, points, cut, Phase(points[cut].period, kind, "new timetable")


def same(a: SeriesSummary, b: SeriesSummary) -> bool:
    return a.verdict == b.verdict and a.words == b.words


# ------------------------------------------------------------------ the rule, in core
@settings(max_examples=150, deadline=None)
@given(phased(PhaseKind.REBASE))
def test_a_rebased_series_is_judged_on_its_last_phase_alone(
        case: tuple[SeriesFacts, str, list[Point], int, Phase]) -> None:
    f, rules, points, cut, phase = case
    whole = summarise(points, [phase], f, rules)
    last = summarise(points[cut:], (), f, rules)
    assert whole.verdict == last.verdict
    assert whole.phases == (phase,) and not whole.pooled
    # and it is the judgement of the phased analysis, on the chart a summary judges by
    kind = summary_chart_kind(f.chart_kind, f.value_type)
    assert whole.analysis.chart_kind == kind
    assert [(s.first, s.last) for s in whole.analysis.segments] == [
        (0, cut - 1), (cut, len(points) - 1)]


@settings(max_examples=150, deadline=None)
@given(phased(PhaseKind.BASELINE_FREEZE), st.data())
def test_a_frozen_baseline_judges_later_points_against_the_baseline(
        case: tuple[SeriesFacts, str, list[Point], int, Phase], data: st.DataObject) -> None:
    """After a freeze the limits — and so the assurance — come from the baseline only:
    any other values after the freeze leave them as they were."""
    f, rules, points, cut, phase = case
    frozen = summarise(points, [phase], f, rules)
    seg = frozen.analysis.segments[-1]
    assert seg.baseline_end == cut - 1
    later = data.draw(series(f.value_type, len(points)))
    changed = points[:cut] + [
        p._replace(period=q.period, value=(q.numerator / p.denominator if p.denominator
                                           else q.value),
                   numerator=min(q.numerator, p.denominator) if p.denominator and q.numerator
                   is not None else q.numerator)
        for p, q in zip(points[cut:], later[cut:], strict=True)]
    again = summarise(changed, [phase], f, rules)
    other = again.analysis.segments[-1]
    assert (other.centre, other.lower, other.upper) == (seg.centre, seg.lower, seg.upper)
    assert again.assurance == frozen.assurance
    # the verdict is that of the analysis with its phase, never the series re-analysed bare
    kind = summary_chart_kind(f.chart_kind, f.value_type)
    with_phase = analyse_series(points, [phase], chart_kind=kind, value_type=f.value_type,
                                direction=f.direction, frequency=f.frequency, rule_set=rules)
    assert frozen.verdict == judge_series(with_phase, f.target, f.direction)


def test_a_pooled_series_says_it_has_no_phases() -> None:
    points = [Point(_month(k), 0.5, 10, 20) for k in range(12)]
    f = SeriesFacts("p", "proportion", "up", "monthly", 0.6)
    pooled = summarise(points, (), f, pooled=True)
    assert pooled.pooled and pooled.words.endswith(POOLED_NOTE)
    assert pooled.line.startswith("Summary of the latest point (P chart, IHI run-chart rules v")
    assert POOLED_NOTE not in summarise(points, (), f).words
    with pytest.raises(ValueError, match="no phases of its own"):
        summarise(points, [Phase(_month(6), PhaseKind.REBASE)], f, pooled=True)


# ------------------------------------------------------------------ every output asks it
@contextmanager
def _scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d) / "one.nicdesk"


def _outputs(path: Path, measure: tuple[str, str], site: tuple[str, str], meeting: str,
             capsys: pytest.CaptureFixture[str]
             ) -> tuple[SeriesSummary | None, str, SeriesSummary | None]:
    """(the measure page's judgement, `nicdesk chart`'s output, the packet's row) for
    one site's series, each read the way its output reads it."""
    from nicdesk.cli.parser import main
    from nicdesk.store.views.measures import measure_page
    from nicdesk.store.views.packet import read_packet
    from nicdesk.store.workspace import Workspace

    with Workspace.open(path) as ws:
        page = measure_page(ws, measure[0], site[0])
        assert page is not None and page.series is not None
        packet = read_packet(ws, meeting, ["measures"], measure_ids=[measure[0]],
                             site_ids=[site[0]])
    capsys.readouterr()
    assert main(["chart", str(path), "--measure", measure[1], "--site", site[1]]) == 0
    cli = capsys.readouterr().out
    return page.series.summary, cli, packet.measures[0].summary


def _cli_says(cli: str, summary: SeriesSummary) -> None:
    assert f"  {summary.line}\n" in cli
    assert (f"  Variation: {summary.variation_words} · Assurance: "
            f"{summary.assurance_words}\n") in cli


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phased())
def test_screen_cli_and_packet_judge_a_phased_series_alike(
        capsys: pytest.CaptureFixture[str],
        case: tuple[SeriesFacts, str, list[Point], int, Phase]) -> None:
    from nicdesk.store.workspace import Workspace

    f, rules, points, _cut, phase = case
    with _scratch() as path:
        with Workspace.create(path) as ws:
            net = ws.ops.create("network", name="NIC", rule_set=rules).id
            site = ws.ops.create("site", network_id=net, name="Lincoln").id
            measure = ws.ops.create(
                "measure", network_id=net, name="On track", value_type=f.value_type,
                chart_kind=f.chart_kind, direction=f.direction, frequency=f.frequency,
                target=f.target, unit="%" if f.value_type == "proportion" else "").id
            for p in points:
                ws.ops.create("observation", measure_id=measure, site_id=site,
                              period=p.period, value=p.value, numerator=p.numerator,
                              denominator=p.denominator)
            ws.ops.create("chart_phase", measure_id=measure, site_id=site, kind=phase.kind,
                          start=phase.start, reason=phase.reason)
            meeting = ws.ops.create("meeting", network_id=net, title="Check").id
        screen, cli, packet = _outputs(path, (measure, "On track"), (site, "Lincoln"),
                                       meeting, capsys)
    expected = summarise(points, [phase], f, rules)
    assert screen is not None and packet is not None
    assert same(screen, expected) and same(packet, expected)
    assert screen.phases == packet.phases == (phase,)
    _cli_says(cli, expected)


# ------------------------------------------------------------------ the sample workspace
def test_every_sample_series_is_judged_alike_everywhere(
        demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every site × network measure of the sample (two networks, both rule sets), with a
    rebase added beside the sample's frozen baselines: the measure page, `nicdesk chart`
    and a packet of a meeting after the last data give one judgement.  The one
    deliberate difference: a packet never shows a series small-cell suppression hides
    (the sample's referral counts), so its row has no judgement at all."""
    from sqlalchemy import select

    from nicdesk.store.schema import ChartPhase, Network
    from nicdesk.store.views import network as nv
    from nicdesk.store.workspace import Workspace

    with Workspace.open(demo_copy) as ws:
        with ws.read() as s:
            networks = [n.id for n in s.scalars(select(Network))]
            plan = [(net, (m.id, m.name), [(x.id, x.name) for x in
                                          nv.participating_sites(s, net)])
                    for net in networks for m in nv.network_measures(s, net)]
        on_track = next(m for _, m, _ in plan if m[1] == "9th graders on track")
        eastside = next(x for x in plan[0][2] if x[1] == "Eastside High School")
        ws.ops.create("chart_phase", measure_id=on_track[0], site_id=eastside[0],
                      kind=PhaseKind.REBASE, start=dt.date(2025, 9, 1),
                      reason="New grading policy")
        meetings = {net: ws.ops.create("meeting", network_id=net, title="After",
                                       date=dt.date(2030, 1, 1)).id for net in networks}
        with ws.read() as s:
            phased_series = {(p.measure_id, p.site_id) for p in s.scalars(
                select(ChartPhase).where(ChartPhase.deleted.is_(False)))}
    compared = suppressed = with_phases = differs_bare = 0
    for net, measure, sites in plan:
        for site in sites:
            screen, cli, packet = _outputs(demo_copy, measure, site, meetings[net], capsys)
            assert screen is not None
            _cli_says(cli, screen)
            if packet is None:  # suppressed on paper, shown to the site on its screen
                suppressed += 1
                continue
            assert same(packet, screen), (measure[1], site[1])
            assert packet.phases == screen.phases and not packet.pooled
            compared += 1
            if screen.phases:
                assert (measure[0], site[0]) in phased_series
                with_phases += 1
                differs_bare += _differs_without_phases(demo_copy, measure[0], site[0])
    assert compared == 16 and suppressed == 5
    assert with_phases == 4  # the sample's three frozen baselines and the rebase added here
    assert differs_bare >= 1, "no phased sample series would have been judged differently"
    # a whole network's packet pools its sites: no phases, and its words say so
    from nicdesk.store.views.packet import read_packet

    with Workspace.open(demo_copy) as ws:
        for net in networks:
            rows = read_packet(ws, meetings[net], ["measures"]).measures
            pooled = [md.summary for md in rows if md.summary is not None]
            assert pooled and all(x.pooled and not x.phases and x.words.endswith(POOLED_NOTE)
                                  for x in pooled)


def _differs_without_phases(path: Path, measure_id: str, site_id: str) -> int:
    """1 when judging the series bare (as the packet used to) gives another verdict."""
    from nicdesk.store.schema import Measure
    from nicdesk.store.views.series import measure_series, series_facts
    from nicdesk.store.workspace import Workspace

    with Workspace.open(path) as ws:
        series = measure_series(ws, measure_id, site_id)
        with ws.read() as s:
            facts_ = series_facts(s.get(Measure, measure_id))
    assert series.summary is not None
    bare = summarise(series.points, (), facts_, series.rule_set)
    return int(bare.verdict != series.summary.verdict)
