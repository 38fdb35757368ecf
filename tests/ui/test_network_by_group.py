"""The Network view for one student group, through real widgets: choose English
learners, see each site's group chart (small groups hidden), the bright spots judged on
the group, and restrict every tab to the schools like one school."""

from __future__ import annotations

from pathlib import Path

import pytest

from nicdesk.core.similarity import SiteProfile, similar_sites
from nicdesk.store.workspace import Workspace
from tests.ui.conftest import settle, window_on

from ..equity_data import ENROLMENT, WEEKS, build, shot


@pytest.fixture
def network_window(qtbot, tmp_path: Path):
    path = tmp_path / "equity.nicdesk"
    with Workspace.create(path) as ws:
        ids = build(ws)
    w = window_on(qtbot, path, "Equity NIC/Network view")
    yield w, ids
    w.close_workspace()


def _choose(box, data) -> None:
    index = box.findData(data)
    assert index >= 0, [box.itemText(i) for i in range(box.count())]
    box.setCurrentIndex(index)
    box.activated.emit(index)
    settle()


def test_one_group_across_sites_and_schools_like_one(network_window, qtbot) -> None:
    window, ids = network_window
    page = window.stack.currentWidget()
    groups = page.equity.group
    assert [groups.itemText(i) for i in range(groups.count())] == [
        "All students", "English learner status: English learners",
        "English learner status: Not English learners", "Disability: Students with "
        "disabilities", "Disability: Students without disabilities"]
    _choose(groups, ids["EL"])
    by = {m.panel.name: m.panel for m in page.grid.panels}
    assert {"Alpha", "Beta", "Gamma"} <= set(by)
    with window.workspace.read() as s:
        from nicdesk.store.schema import Observation

        el = {o.period: o.numerator / o.denominator for o in s.query(Observation).filter(
            Observation.site_id == ids["Alpha"], Observation.group_id == ids["EL"])}
    assert by["Alpha"].analysis.y == pytest.approx([el[d] for d in WEEKS])
    assert by["Alpha"].signal == "improvement" and by["Beta"].signal == "concern"
    assert by["Gamma"].status == "no data"
    assert page.multiples_note.text().startswith(
        "English learner status: English learners: 8 sites")
    shot(page, "network_by_group")

    # bright spots judged on the English learners' series, with what Alpha is testing
    page.tabs.setCurrentIndex(2)
    settle()
    top = page.spots.topLevelItem(0)
    assert "Bright spot: Alpha" in top.text(0)
    assert top.child(0).text(0).startswith("PDSA: Check-in and check-out")
    shot(page, "network_by_group_spots")

    # the funnel totals the group's students only
    page.tabs.setCurrentIndex(1)
    settle()
    rows = {r.name: r for r in page.funnel.view.funnel.rows}
    assert rows["Alpha"].size == 40 * len(WEEKS)

    # a group hidden by complementary suppression: no site charts it
    page.tabs.setCurrentIndex(0)
    _choose(groups, ids["nonSWD"])
    by = {m.panel.name: m.panel for m in page.grid.panels}
    assert by["Alpha"].status == "suppressed" and by["Alpha"].points == []

    # schools like Alpha: Alpha and its nearest by enrolment, in every tab
    _choose(groups, ids["EL"])
    like = page.equity.like
    assert like.itemText(0) == "All sites"
    _choose(like, ids["Alpha"])
    names = {m.panel.name for m in page.grid.panels}
    profiles = [SiteProfile(name, name, total, {"el": el})
                for name, (total, el) in ENROLMENT.items()]
    expected = {"Alpha", *(n.site_id for n in similar_sites("Alpha", profiles))}
    assert names == expected and len(names) == 6 and "Beta" in names
    page.tabs.setCurrentIndex(2)
    settle()
    spots = {page.spots.topLevelItem(i).text(0) for i in range(page.spots.topLevelItemCount())}
    assert all(any(n in text for n in expected) for text in spots)
    page.tabs.setCurrentIndex(0)
    settle()
    assert "schools like Alpha" in page.multiples_note.text()
    shot(page, "network_schools_like")
