"""The Network view through real widgets: every tab renders (screenshots checked
non-blank), filters narrow the sites, panels open the site chart, the matrix exports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from .conftest import window_on


def _colours(image) -> int:
    seen = set()
    for y in range(0, image.height(), 5):
        for x in range(0, image.width(), 5):
            seen.add(QColor(image.pixel(x, y)).name())
    return len(seen)


def test_every_tab_renders(qtbot, demo_file: Path, tmp_path: Path) -> None:
    w = window_on(qtbot, demo_file, "Great Lakes Focus Schools NIC/Network view")
    page = w.stack.currentWidget()
    assert page.title.text().startswith("Network view")
    assert page.measure.currentText().startswith("9th graders on track")
    for i in range(page.tabs.count()):
        page.tabs.setCurrentIndex(i)
        qtbot.wait(20)
        shot = tmp_path / f"tab{i}.png"
        image = page.tabs.currentWidget().grab().toImage()
        assert image.save(str(shot))
        assert _colours(image) > 12, f"tab {i} looks blank"
    assert len(page.grid.panels) == 5
    assert page.funnel.caption.text().count("Limits shown") == 1
    assert page.spots.topLevelItemCount() >= 3
    assert page.matrix.rowCount() == 4 and page.matrix.columnCount() == 5
    assert page.evidence.topLevelItemCount() == 13


def test_filters_sorting_and_navigation(qtbot, demo_file: Path, tmp_path: Path) -> None:
    w = window_on(qtbot, demo_file, "Great Lakes Focus Schools NIC/Network view")
    page = w.stack.currentWidget()
    rural = page.context_boxes["locale"]
    rural.setCurrentIndex(rural.findData("rural"))
    rural.activated.emit(rural.currentIndex())
    names = [p.panel.name for p in page.grid.panels]
    assert names == ["Cedar Creek Junior-Senior High", "Pine Valley High School"]
    rural.setCurrentIndex(0)
    rural.activated.emit(0)
    page.sort.setCurrentIndex(page.sort.findData("signal"))
    page.sort.activated.emit(page.sort.currentIndex())
    assert page.grid.panels[0].panel.signal == "improvement"
    assert page.grid.panels[-1].panel.signal == ""
    page.common.setChecked(False)
    assert page.grid.panels[0].y_range is None
    target = next(p for p in page.grid.panels if p.panel.name == "Lincoln High School")
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton)
    measure_page = w.stack.currentWidget()
    assert measure_page.site_id == target.panel.site_id
    assert w.navigator.current_node().site_id == target.panel.site_id

    assert w.select_path("Great Lakes Focus Schools NIC/Network view")
    page.tabs.setCurrentIndex(3)
    out = page.export_matrix(str(tmp_path / "m.csv"))
    assert "Advisory check-ins,Lincoln High School,3,adopt,yes" in out.read_text()
    page.driver.setCurrentIndex(page.driver.findText("Instruction engages 9th graders"))
    page.driver.activated.emit(page.driver.currentIndex())
    assert page.matrix.rowCount() == 0
    page.driver.setCurrentIndex(0)
    page.driver.activated.emit(0)
    page.matrix.cellDoubleClicked.emit(0, 3)  # Lincoln's advisory ramp
    assert w.navigator.current_node().kind == "pdsa_ramp"


def test_funnel_toggles_and_count_measure(qtbot, demo_file: Path) -> None:
    w = window_on(qtbot, demo_file, "Great Lakes Focus Schools NIC/Network view")
    page = w.stack.currentWidget()
    page.tabs.setCurrentIndex(1)
    assert page.funnel.adjusted.isChecked()  # overdispersed: adjusted limits by default
    page.funnel.adjusted.setChecked(False)
    assert "not adjusted for over-dispersion although" in page.funnel.caption.text()
    page.funnel.as_caterpillar.setChecked(True)
    assert "Caterpillar" in page.funnel.caption.text()
    page.measure.setCurrentIndex(page.measure.findText("Office discipline referrals",
                                                       Qt.MatchFlag.MatchStartsWith))
    page.measure.activated.emit(page.measure.currentIndex())
    assert "count measure" in page.funnel.caption.text()
    assert not page.funnel.plot.isVisible()
    page.tabs.setCurrentIndex(0)
    suppressed = [p for p in page.grid.panels if p.panel.status == "suppressed"]
    assert suppressed and all(not p.panel.points for p in suppressed)


def test_network_view_on_a_coordinator_built_from_bundles(qtbot, tmp_path: Path) -> None:
    from nicdesk.bundle.export import export_bundle
    from nicdesk.bundle.importer import import_bundle
    from nicdesk.demo.network import build_network_demo
    from nicdesk.store.workspace import Workspace

    root = tmp_path / "net"
    build_network_demo(root)
    folder = root / "great-lakes-focus-schools-nic"
    coordinator = folder / "coordinator.nicdesk"
    with Workspace.open(coordinator) as coord:
        for site in sorted((folder / "sites").glob("*high*.nicdesk")):
            with Workspace.open(site) as ws:
                bundle = export_bundle(ws, tmp_path / f"{site.stem}.nicbundle")
            import_bundle(coord, bundle.path)
    w = window_on(qtbot, coordinator, "Great Lakes Focus Schools NIC/Network view")
    page = w.stack.currentWidget()
    with_chart = [p for p in page.grid.panels if p.panel.analysis is not None]
    assert {p.panel.name for p in with_chart} == {
        "Lincoln High School", "Eastside High School", "Pine Valley High School",
        "Cedar Creek Junior-Senior High"}
    harbor = next(p.panel for p in page.grid.panels if p.panel.name == "Harbor Early College")
    assert harbor.status == "no data"  # its bundle has not arrived
    page.tabs.setCurrentIndex(3)
    assert page.matrix.rowCount() == 4


def test_a_narrow_window_keeps_the_network_name_whole(qtbot, demo_file: Path) -> None:
    """At 1024 wide the privacy note wraps; the title is not clipped
    ("Network view — Great Lake" was all a coordinator saw)."""
    w = window_on(qtbot, demo_file, "Great Lakes Focus Schools NIC/Network view",
                  size=(1024, 700))
    qtbot.wait(20)
    page = w.stack.currentWidget()
    assert page.title.text().endswith("Great Lakes Focus Schools NIC")
    assert page.title.width() >= page.title.sizeHint().width()
    assert page.privacy.wordWrap() and page.privacy.isVisible()
