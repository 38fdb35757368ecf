"""Single-writer authority in the GUI: in a site's workspace, records owned by another
site or by the network coordinator are shown read-only — a lock banner naming the owner,
inputs that cannot be typed into — and typing changes nothing stored; the site's own
records stay editable; the standalone sample shows no lock anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication

from nicdesk.store.schema import MODELS, Charter, Measure, Observation, PdsaCycle
from nicdesk.ui.common.widgets import LockBanner
from tests.ui.conftest import window_on

COORDINATOR = "State Office of School Improvement"
EASTSIDE = "Eastside High School"
NETWORK = "Great Lakes Focus Schools NIC"
OTHER_CYCLE = f"{EASTSIDE}/PDSA cycles/Ramp: Advisory check-ins/Advisory check-ins, cycle 1"
OWN_CYCLE = "Lincoln High School/PDSA cycles/Ramp: Advisory check-ins/Advisory check-ins, cycle 1"


@pytest.fixture(scope="module")
def lincoln(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The split sample network after one round: the sites' bundles imported by the
    coordinator (who then adds a network fishbone), its digest imported at Lincoln."""
    from nicdesk.cli.parser import main
    from nicdesk.demo.network import build_network_demo
    from nicdesk.store.ops import fishbones
    from nicdesk.store.schema import Network
    from nicdesk.store.workspace import Workspace

    folder = tmp_path_factory.mktemp("network")
    with pytest.MonkeyPatch.context() as mp:  # the keys live in this run's data dir
        mp.setenv("NICDESK_DATA_DIR", str(tmp_path_factory.mktemp("keys")))
        coord = build_network_demo(folder)[0]
        home = coord.parent
        sites = sorted((home / "sites").glob("*.nicdesk"))
        bundles = []
        for site in sites:
            out = site.with_suffix(".nicbundle")
            assert main(["export", str(site), "--out", str(out)]) == 0
            bundles.append(str(out))
        assert main(["import", str(coord), *bundles]) == 0
        with Workspace.open(coord) as ws:
            with ws.read() as s:
                net = s.query(Network).one().id
            fishbones.new_fishbone(ws, net, None, "Why do 9th graders miss class?")
        digest = home / "digest.nicbundle"
        assert main(["export", str(coord), "--digest", "--out", str(digest)]) == 0
        target = home / "sites" / "lincoln-high-school.nicdesk"
        assert main(["import", str(target), str(digest)]) == 0
    return target


@pytest.fixture
def window(qtbot, lincoln: Path):
    w = window_on(qtbot, lincoln, size=(1400, 860))
    yield w
    w.close_workspace()


def fingerprint(w) -> dict[str, tuple]:
    """Every stored record with its clock: any change of any field changes it."""
    out = {}
    with w.workspace.read() as s:
        for kind, model in MODELS.items():
            out[kind] = tuple(sorted((r.id, r.hlc, r.deleted) for r in s.query(model)))
    return out


def banner(page) -> LockBanner:
    shown = [b for b in page.findChildren(LockBanner) if b.isVisible()]
    assert len(shown) == 1, [b.text() for b in shown]
    return shown[0]


def no_banner(page) -> bool:
    return not any(b.isVisible() for b in page.findChildren(LockBanner))


def type_and_leave(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)  # leaving a field stores it (if it may)


def test_other_schools_pdsa_cycle_is_read_only(window, qtbot) -> None:
    w = window
    assert w.select_path(OTHER_CYCLE)
    page = w.stack.currentWidget()
    text = banner(page).text()
    assert EASTSIDE in text and "bundles" in text
    plan, do, study, act = page.forms
    assert plan.fields["title"].widget.isReadOnly()
    assert plan.fields["objective"].widget.isReadOnly()
    assert not plan.fields["change_idea_id"].widget.isEnabled()
    assert not plan.fields["ramp_id"].widget.isEnabled()
    assert plan.questions.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert not any(b.isEnabled() for b in (act.next_button, act.fields["decision"].widget))
    assert do.fields["do_what_happened"].widget.isReadOnly()
    assert study.questions.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert not page.hints.isVisible()  # "not finished yet" is for the owner
    before = fingerprint(w)
    with w.workspace.read() as s:
        title = s.get(PdsaCycle, plan.record_id).title
    type_and_leave(qtbot, plan.fields["title"].widget, " (edited)")
    type_and_leave(qtbot, plan.fields["objective"].widget, "More words")
    qtbot.wait(1000)  # past the typing pause that stores long texts
    assert plan.fields["title"].widget.text() == title
    assert fingerprint(w) == before


def test_other_schools_series_is_read_only(window, qtbot) -> None:
    w = window
    assert w.select_path(f"{EASTSIDE}/Measures/9th graders on track")
    page = w.stack.currentWidget()
    assert EASTSIDE in banner(page).text()
    grid = page.grid
    with w.workspace.read() as s:
        rows = s.query(Observation).filter_by(measure_id=page.measure_id,
                                              site_id=page.site_id, group_id=None,
                                              deleted=False).count()  # all students'
    assert rows and grid.rowCount() == rows  # no empty row for a new period
    assert grid.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert not grid.item(0, 1).flags() & Qt.ItemFlag.ItemIsEditable
    for key in ("import", "freeze", "rebase", "note"):
        assert not page.buttons[key].isEnabled()
    assert page.buttons["export"].isEnabled()
    before = fingerprint(w)
    page.tabs.setCurrentWidget(page.data_holder)
    grid.setFocus()
    grid.setCurrentCell(0, len(grid.columns) - 1)
    qtbot.keyClicks(grid, "a note")
    qtbot.keyClick(grid, Qt.Key.Key_F2)
    assert grid.state() != QAbstractItemView.State.EditingState
    QApplication.clipboard().setText("2026-09-01\t55\t60")
    qtbot.keyClick(grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    qtbot.wait(50)
    assert fingerprint(w) == before


def test_network_records_are_read_only_at_a_site(window, qtbot) -> None:
    w = window
    assert w.select_path(f"{NETWORK}/Charter")
    form = w.stack.currentWidget()
    assert COORDINATOR in banner(form).text()
    roles = form.fields["roles"].widget
    assert roles.isReadOnly()
    before = fingerprint(w)
    with w.workspace.read() as s:
        stored_roles = s.get(Charter, form.record_id).roles
    type_and_leave(qtbot, roles, "Everyone does everything")
    assert roles.toPlainText() == stored_roles

    assert w.select_path(f"{NETWORK}/Measures/9th graders on track")  # the network measure
    page = w.stack.currentWidget()
    assert page.tabs.currentWidget() is page.form  # no site: the definition shows
    assert COORDINATOR in banner(page).text()
    name = page.form.fields["name"].widget
    assert name.isReadOnly() and not page.form.fields["kind"].widget.isEnabled()
    assert not page.chart_kind.isEnabled()
    type_and_leave(qtbot, name, " v2")
    with w.workspace.read() as s:
        assert s.get(Measure, page.measure_id).name == "9th graders on track"

    assert w.select_path(f"{NETWORK}/Meetings/2025-10-16 Fall convening")
    meeting = w.stack.currentWidget().form
    assert COORDINATOR in banner(meeting).text()
    assert meeting.fields["title"].widget.isReadOnly()
    assert meeting.agenda.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert meeting.packet_button.isEnabled()  # reading it out stays possible
    type_and_leave(qtbot, meeting.fields["place"].widget, " upstairs")
    assert fingerprint(w) == before


def test_network_diagrams_are_read_only_at_a_site(window, qtbot) -> None:
    w = window
    assert w.select_path(f"{NETWORK}/Driver diagrams/Theory of improvement")
    ed = w.stack.currentWidget()
    assert COORDINATOR in banner(ed).text()
    assert ed.scene.read_only
    assert not any(a.isEnabled() for a in (ed.act_child, ed.act_sibling, ed.act_rename,
                                          ed.act_delete))
    assert ed.selected() is not None  # the aim: selecting and reading still work
    assert ed.details.fields["description"].widget.isReadOnly()
    assert not ed.details.fields["status"].widget.isEnabled()
    before = fingerprint(w)
    for k in (Qt.Key.Key_Tab, Qt.Key.Key_Return, Qt.Key.Key_F2, Qt.Key.Key_Delete):
        ed.view.setFocus()  # (Tab, with nothing to add, moves the focus on as usual)
        qtbot.keyClick(ed.view, k)
        assert ed.editor is None
    ed.view.setFocus()
    qtbot.keyClick(ed.view, Qt.Key.Key_Right)  # arrows still move through the diagram
    node = ed.selected()
    assert node is not None and ed.data.nodes[node].level == "primary"
    ed.scene.node_activated.emit(node)  # double-click: no in-place editor
    assert ed.editor is None
    ed.delete_selected()
    ed.link_nodes(node, next(iter(ed.data.nodes)))
    assert fingerprint(w) == before

    assert w.select_path(f"{NETWORK}/Fishbones/Why do 9th graders miss class?")
    fb = w.stack.currentWidget()
    assert COORDINATOR in banner(fb).text()
    assert not any(a.isEnabled() for a in fb.edit_actions)
    for k in (Qt.Key.Key_Tab, Qt.Key.Key_Return, Qt.Key.Key_V, Qt.Key.Key_F2):
        fb.view.setFocus()
        qtbot.keyClick(fb.view, k)
    assert fb.editor is None
    assert fingerprint(w) == before


def test_own_cycle_and_own_series_are_editable(window, qtbot) -> None:
    w = window
    assert w.select_path(OWN_CYCLE)
    page = w.stack.currentWidget()
    assert no_banner(page)
    plan = page.forms[0]
    scale = plan.fields["scale"].widget
    assert not scale.isReadOnly() and plan.fields["ramp_id"].widget.isEnabled()
    scale.setFocus()
    scale.selectAll()
    qtbot.keyClicks(scale, "3 advisors, 45 students")
    qtbot.keyClick(scale, Qt.Key.Key_Tab)
    with w.workspace.read() as s:
        assert s.get(PdsaCycle, plan.record_id).scale == "3 advisors, 45 students"

    # the network's measure at Lincoln: the definition is the coordinator's, the data
    # (observations owned by Lincoln) are Lincoln's own
    assert w.select_path("Lincoln High School/Measures/9th graders on track")
    page = w.stack.currentWidget()
    assert not page.banner.isVisible() and page.grid.locked is None
    assert page.buttons["note"].isEnabled() and not page.chart_kind.isEnabled()
    assert page.form.lock and COORDINATOR in page.form.banner.text()  # Definition tab
    grid = page.grid
    assert grid.rowCount() == len(grid.ids) and grid.ids[-1] is None  # a row to add to
    page.tabs.setCurrentWidget(page.data_holder)
    col = len(grid.columns) - 1  # the note
    item = grid.item(0, col)
    grid.setCurrentItem(item)
    grid.editItem(item)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "Snow week")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: grid.state() != QAbstractItemView.State.EditingState
                    and grid.pending == 0)
    with w.workspace.read() as s:
        assert s.get(Observation, grid.ids[0]).note.endswith("Snow week")


def test_standalone_sample_shows_no_lock(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy, size=(1400, 860))
    try:
        for path in (OTHER_CYCLE, f"{EASTSIDE}/Measures/9th graders on track",
                     f"{NETWORK}/Charter", f"{NETWORK}/Measures/9th graders on track",
                     f"{NETWORK}/Meetings/2025-10-16 Fall convening", EASTSIDE, NETWORK,
                     f"{NETWORK}/Driver diagrams/Theory of improvement"):
            assert w.select_path(path), path
            page = w.stack.currentWidget()
            assert no_banner(page), path
            for field in getattr(page, "fields", {}).values():
                assert not field.locked, (path, field.name)
        ed = w.stack.currentWidget()  # the network's driver diagram
        assert not ed.scene.read_only and ed.act_child.isEnabled()
        assert w.select_path(f"{EASTSIDE}/Measures/9th graders on track")
        assert w.stack.currentWidget().grid.locked is None
        assert w.select_path(OTHER_CYCLE)
        assert not w.stack.currentWidget().forms[0].fields["title"].widget.isReadOnly()
    finally:
        w.close_workspace()


def test_screenshot_of_a_locked_page(window, tmp_path: Path) -> None:
    """The banner as a person sees it (kept for looking at: NICDESK_SHOT_DIR)."""
    import os

    w = window
    assert w.select_path(OTHER_CYCLE)
    QApplication.processEvents()
    folder = Path(os.environ.get("NICDESK_SHOT_DIR") or tmp_path)
    shot = folder / "locked-pdsa-cycle.png"
    assert w.grab().save(str(shot))
    assert shot.stat().st_size > 10_000
