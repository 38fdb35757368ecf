"""The Network view's fast reads (issue #20): observations read straight from the driver on
SQLite give what SQLAlchemy gives (the PostgreSQL path), and each site's judged panel is
cached until that site's data of the measure change — an edit, a deletion, a new phase or
a merged value whose clock is older than the row's all show at once; the other sites'
analyses are kept and their observations are not read again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from nicdesk.store.views import network as nv
from nicdesk.store.workspace import Workspace

WEEKS = [dt.date(2025, 1, 6) + dt.timedelta(weeks=k) for k in range(30)]


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    nv.forget_analyses()
    yield
    nv.forget_analyses()
    nv.driver_reads = True


def _network(ws: Workspace) -> dict[str, Any]:
    ids: dict[str, Any] = {"obs": {}}
    with ws.ops.batch("build") as t:
        net = ids["net"] = t.create("network", name="NIC")
        for name in ("Alpha", "Beta", "Gamma"):
            ids[name] = t.create("site", network_id=net, name=name)
        ids["m"] = t.create("measure", network_id=net, name="On track", unit="%",
                            value_type="proportion", chart_kind="run", frequency="weekly")
        for k, week in enumerate(WEEKS):
            lift = 30 if k >= 15 else 0
            ids["obs"][("Alpha", k)] = t.create(
                "observation", measure_id=ids["m"], site_id=ids["Alpha"], period=week,
                numerator=40 + lift + k % 3, denominator=100)
            ids["obs"][("Beta", k)] = t.create(
                "observation", measure_id=ids["m"], site_id=ids["Beta"], period=week,
                numerator=60 + (k * 7) % 5, denominator=100)
        t.create("observation", measure_id=ids["m"], site_id=ids["Gamma"], period=WEEKS[0],
                 numerator=5, denominator=40, astronomical=True, note="Fire drill")
    return ids


def _panels(ws: Workspace, measure: str, **kw: Any) -> dict[str, nv.Panel]:
    with ws.read() as s:
        return {p.name: p for p in nv.small_multiples(s, measure, **kw).panels}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[list[str] | None]:
    """The sites each observation read asked for (None: the whole measure)."""
    seen: list[list[str] | None] = []
    real = nv._observations

    def spy(session: Any, measure_ids: list[str], start: Any, end: Any,
            site_ids: list[str] | None = None) -> Any:
        seen.append(site_ids)
        return real(session, measure_ids, start, end, site_ids)

    monkeypatch.setattr(nv, "_observations", spy)
    return seen


def test_driver_reads_match_sqlalchemy(workspace: Workspace) -> None:
    ids = _network(workspace)
    fast = _panels(workspace, ids["m"])
    nv.forget_analyses()
    nv.driver_reads = False
    slow = _panels(workspace, ids["m"])
    assert fast == slow
    assert fast["Gamma"].points[0].note == "Fire drill" and fast["Gamma"].points[0].astronomical
    assert all(type(p.period) is dt.date and type(p.excluded) is bool
               for panel in fast.values() for p in panel.points)
    with workspace.read() as s:
        start, end = WEEKS[5], WEEKS[20]
        windowed = nv.small_multiples(s, ids["m"], start=start, end=end)
        funnel_fast = nv.funnel_view(s, ids["m"], start=start, end=end)
        nv.forget_analyses()
        nv.driver_reads = True
        assert nv.small_multiples(s, ids["m"], start=start, end=end) == windowed
        assert nv.funnel_view(s, ids["m"], start=start, end=end) == funnel_fast
    alpha = next(p for p in windowed.panels if p.name == "Alpha")
    assert [p.period for p in alpha.points] == WEEKS[5:21]


def test_an_edit_invalidates_only_its_site(workspace: Workspace,
                                           reads: list[list[str] | None]) -> None:
    ids = _network(workspace)
    first = _panels(workspace, ids["m"])
    assert first["Alpha"].signal == "improvement" and reads == [None]
    again = _panels(workspace, ids["m"])
    assert again["Alpha"].analysis is first["Alpha"].analysis  # cached, nothing read
    assert again["Beta"].analysis is first["Beta"].analysis and reads == [None]

    # an edit of one value: Alpha is read and judged again, Beta is not
    workspace.ops.update("observation", ids["obs"][("Alpha", 29)], numerator=5)
    edited = _panels(workspace, ids["m"])
    assert reads == [None, [ids["Alpha"]]]
    assert edited["Alpha"].analysis is not first["Alpha"].analysis
    assert edited["Alpha"].points[-1].numerator == 5
    assert edited["Beta"].analysis is first["Beta"].analysis

    # undo gives the old value back: judged again, the same as the first time
    workspace.ops.undo()
    undone = _panels(workspace, ids["m"])
    assert undone["Alpha"].analysis is not edited["Alpha"].analysis
    assert undone["Alpha"].analysis == first["Alpha"].analysis

    # a deletion, then a new phase
    workspace.ops.delete("observation", ids["obs"][("Beta", 3)])
    deleted = _panels(workspace, ids["m"])
    assert len(deleted["Beta"].points) == len(WEEKS) - 1
    assert deleted["Alpha"].analysis is undone["Alpha"].analysis
    workspace.ops.create("chart_phase", measure_id=ids["m"], site_id=ids["Alpha"],
                         kind="rebase", start=WEEKS[15], reason="Advisory started")
    phased = _panels(workspace, ids["m"])
    assert phased["Alpha"].analysis is not deleted["Alpha"].analysis
    assert phased["Alpha"].analysis is not None and len(phased["Alpha"].analysis.segments) == 2
    assert phased["Beta"].analysis is deleted["Beta"].analysis


def test_a_value_merged_under_an_older_clock_still_shows(workspace: Workspace) -> None:
    """A merge may change one field whose clock is older than the row's latest: the row's
    clock and the count stay as they were, the values' sums do not."""
    ids = _network(workspace)
    first = _panels(workspace, ids["m"])
    with workspace.engine.begin() as conn:
        conn.execute(text("UPDATE observations SET numerator = 90 WHERE id = :id"),
                     {"id": ids["obs"][("Beta", 10)]})
    merged = _panels(workspace, ids["m"])
    assert merged["Beta"].points[10].numerator == 90
    assert merged["Beta"].analysis is not first["Beta"].analysis
    assert merged["Alpha"].analysis is first["Alpha"].analysis


def test_statuses_only_then_analysed(workspace: Workspace) -> None:
    """`analyse=False` caches the verdicts; a later call that needs the signals analyses
    the cached points without reading them again."""
    ids = _network(workspace)
    with workspace.read() as s:
        plain = nv.small_multiples(s, ids["m"], analyse=False)
        full = nv.small_multiples(s, ids["m"])
    assert all(p.analysis is None for p in plain.panels)
    by = {p.name: p for p in full.panels}
    assert by["Alpha"].signal == "improvement"
    assert [p.points for p in plain.panels] == [p.points for p in full.panels]
