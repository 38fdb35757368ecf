"""The Network view's Spread tab and the spread-status dialog through real widgets: the
tab shows what is stored (statuses derived from PDSA decisions and the sites' own
records), a site sets its own status (stored, shown, one undo step), a refused status
is said in the dialog with nothing written, and in a site's own workspace other sites'
rows are read-only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from nicdesk.store.schema import ChangeAdoption
from nicdesk.store.views.spread import network_spread
from nicdesk.ui.network.spread_dialog import SpreadStatusDialog

from .conftest import settle, when_modal, window_on

NIC = "Great Lakes Focus Schools NIC"


def spread_tab(w):
    page = w.stack.currentWidget()
    page.tabs.setCurrentIndex(page.tabs.indexOf(page.spread_panel))
    settle(20)
    return page, page.spread_panel


def table_rows(panel) -> list[list[str]]:
    t = panel.table
    return [[t.item(r, c).text() for c in range(3)] for r in range(t.rowCount())]


def double_click_row(qtbot, panel, name: str) -> None:
    t = panel.table
    r = next(i for i in range(t.rowCount()) if t.item(i, 0).text() == name)
    rect = t.visualItemRect(t.item(r, 0))
    # a view takes a double-click on the item it saw pressed, as a person's has
    qtbot.mouseClick(t.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(t.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def stored(ws) -> list[tuple[str, str, dt.date, str]]:
    with ws.read() as s:
        return sorted((r.site_id, r.status, r.since, r.note) for r in s.scalars(
            select(ChangeAdoption).where(ChangeAdoption.deleted.is_(False))))


def test_the_tab_shows_what_is_stored_and_a_site_sets_its_status(qtbot, demo_copy: Path,
                                                                 tmp_path: Path) -> None:
    w = window_on(qtbot, demo_copy, f"{NIC}/Network view")
    page, panel = spread_tab(w)
    model = network_spread(w.workspace, page.network_id, end=panel.model.end)
    idea = model.ideas[0]
    assert panel.idea.currentText() == "Advisory check-ins" == idea.title
    assert panel.sentence.text().startswith(
        "Advisory check-ins: adopted by 3 of 5 schools by October 2025")
    assert table_rows(panel) == [
        [r.site_name, r.status.value if r.status else "not tested",
         r.since.isoformat() if r.since else ""] for r in idea.rows]
    assert panel.chart.height() >= 5 * 26 and panel.count_chart.isVisible()
    assert panel.grab().save(str(tmp_path / "spread.png"))
    before = stored(w.workspace)
    pine = next(r for r in idea.rows if r.site_name == "Pine Valley High School")

    def fill(dialog: SpreadStatusDialog) -> None:
        assert dialog.site.currentData() == pine.site_id  # the row double-clicked
        assert dialog.derived.text().startswith("abandoned since 16 Feb 2025")
        dialog.status.setCurrentIndex(dialog.status.findData("testing"))
        dialog.since.setDate(QDate(2026, 4, 13))
        qtbot.keyClicks(dialog.note, "Trying again with a protected advisory block")
        qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(
            QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)

    when_modal(SpreadStatusDialog, fill)
    double_click_row(qtbot, panel, "Pine Valley High School")
    settle(20)
    assert stored(w.workspace) == sorted([*before, (
        pine.site_id, "testing", dt.date(2026, 4, 13),
        "Trying again with a protected advisory block")])
    shown = next(r for r in table_rows(panel) if r[0] == "Pine Valley High School")
    assert shown == ["Pine Valley High School", "testing", "2026-04-13"]
    assert panel.table.item(4, 3).text() == "its own record"
    w.act_undo.trigger()
    settle(20)
    assert stored(w.workspace) == before
    assert next(r for r in table_rows(panel) if r[0] == "Pine Valley High School")[1] \
        == "abandoned"
    w.close_workspace()


def test_a_refused_status_is_said_in_the_dialog(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy, f"{NIC}/Network view")
    _page, panel = spread_tab(w)
    before = stored(w.workspace)
    seen: list[str] = []

    def fill(dialog: SpreadStatusDialog) -> None:
        dialog.note.setPlainText("x" * 100_001)
        assert not dialog.save()
        seen.append(dialog.why.text())
        assert dialog.isVisible()  # what was typed stays for mending
        dialog.reject()

    when_modal(SpreadStatusDialog, fill)
    qtbot.mouseClick(panel.set_button, Qt.MouseButton.LeftButton)
    settle(20)
    assert seen and "note" in seen[0].lower() and "100000" in seen[0].replace(",", "")
    assert stored(w.workspace) == before
    w.close_workspace()


def test_in_a_site_workspace_other_sites_are_read_only(qtbot, tmp_path: Path) -> None:
    from nicdesk.store.workspace import Workspace

    path = tmp_path / "lincoln.nicdesk"
    with Workspace.create(path) as ws:
        net = ws.ops.create("network", name="Small NIC").id
        lincoln = ws.ops.create("site", network_id=net, name="Lincoln", kind="school").id
        east = ws.ops.create("site", network_id=net, name="Eastside", kind="school").id
        idea = ws.ops.create("change_idea", network_id=net, title="Check-ins").id
        ws.ops.create("pdsa_cycle", site_id=east, change_idea_id=idea, title="e1",
                      start_date=dt.date(2025, 9, 1), end_date=dt.date(2025, 9, 30),
                      decision="adopt")
        ws.set_meta(local_site_id=lincoln, trusted_coordinator_key="RWQ-test-key")
    w = window_on(qtbot, path, "Small NIC/Network view")
    _page, panel = spread_tab(w)
    assert panel.writable == {lincoln: "Lincoln"}
    double_click_row(qtbot, panel, "Eastside")
    assert "Eastside sets its own spread status" in panel.note.text()
    offered: list[list[str]] = []

    def fill(dialog: SpreadStatusDialog) -> None:
        offered.append([dialog.site.itemText(i) for i in range(dialog.site.count())])
        dialog.status.setCurrentIndex(dialog.status.findData("adapting"))
        dialog.since.setDate(QDate(2025, 10, 6))
        assert dialog.save()

    when_modal(SpreadStatusDialog, fill)
    qtbot.mouseClick(panel.set_button, Qt.MouseButton.LeftButton)
    settle(20)
    assert offered == [["Lincoln"]]
    assert stored(w.workspace) == [(lincoln, "adapting", dt.date(2025, 10, 6), "")]
    assert ["Lincoln", "adapting", "2025-10-06"] in table_rows(panel)
    assert panel.sentence.text().startswith("Check-ins: adopted by 1 of 2 schools")
    w.close_workspace()


def test_the_pdsa_menu_opens_the_spread_of_the_selected_network(qtbot, demo_copy: Path
                                                                ) -> None:
    w = window_on(qtbot, demo_copy, "North Star Regional Centers NIC/Sites")
    w.commands.act_spread.trigger()  # PDSA → Spread of Change Ideas
    settle(20)
    page = w.stack.currentWidget()
    assert page.tabs.currentWidget() is page.spread_panel
    assert page.title.text() == "Network view — North Star Regional Centers NIC"
    assert page.spread_panel.sentence.text().startswith(
        "Monthly data meeting protocol: adopted by 2 of 6 regional centres by February 2025")
    w.close_workspace()
