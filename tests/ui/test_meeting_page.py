"""The meeting editor and packet dialog through real widgets: typed values are stored at
once, undo works, bad times are refused, carried-over actions show and tick off, and the
packet dialog builds a PDF and remembers the choice."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from nicdesk.store.schema import ActionItem, AgendaItem, Meeting

from .conftest import window_on

WINTER = "Great Lakes Focus Schools NIC/Meetings/2026-02-12 Winter convening"


def _meeting(w, title: str = "Winter convening") -> Meeting:
    with w.workspace.read() as s:
        return s.query(Meeting).filter_by(title=title).one()


def test_edit_meeting_fields_and_undo(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy, WINTER)
    form = w.stack.currentWidget().form
    place = form.fields["place"].widget
    place.setFocus()
    place.selectAll()
    qtbot.keyClicks(place, "Harbor City library")
    qtbot.keyClick(place, Qt.Key.Key_Return)
    assert _meeting(w).place == "Harbor City library"
    start = form.fields["start_time"].widget
    start.setFocus()
    start.selectAll()
    qtbot.keyClicks(start, "25:61")
    qtbot.keyClick(start, Qt.Key.Key_Return)
    assert "not a time of day" in form.problem.text()
    assert _meeting(w).start_time == "15:30"
    w.undo()
    assert _meeting(w).place == "Lakeshore ISD conference centre, room B"
    box = form.attendees.widget
    guest = next(box.item(i) for i in range(box.count())
                 if box.item(i).text() == "Greg Lindqvist")
    guest.setCheckState(Qt.CheckState.Checked)
    assert "Greg Lindqvist" in _meeting(w).attendees


def test_agenda_and_actions(qtbot, demo_copy: Path, monkeypatch) -> None:
    w = window_on(qtbot, demo_copy, WINTER)
    form = w.stack.currentWidget().form
    assert form.agenda.rowCount() == 5 and form.total.text() == "90 minutes"
    form.add_item()
    assert form.agenda.rowCount() == 6
    form.agenda.item(5, 0).setText("Celebrate Harbor's first cycle")
    form.agenda.item(5, 1).setText("15")
    with w.workspace.read() as s:
        item = s.query(AgendaItem).filter_by(title="Celebrate Harbor's first cycle").one()
        assert item.minutes == 15 and item.position == 5
    assert form.total.text() == "105 minutes"
    form.agenda.selectRow(5)
    form.move_item(-1)
    with w.workspace.read() as s:
        assert s.query(AgendaItem).filter_by(
            title="Celebrate Harbor's first cycle").one().position == 4
    form.agenda.item(4, 1).setText("soon")
    assert "whole number" in form.problem.text()
    # actions: the fall convening's open item is carried over, with where it came from
    texts = [form.action_items.item(r, 0).text() for r in range(form.action_items.rowCount())]
    carried = texts.index("Interview Pine Valley advisors about protected advisory time")
    assert "carried over" in form.action_items.item(carried, 4).text()
    assert "OVERDUE" in form.action_items.item(carried, 4).text()
    form.action_items.item(carried, 3).setCheckState(Qt.CheckState.Checked)
    with w.workspace.read() as s:
        assert s.query(ActionItem).filter_by(text=texts[carried]).one().done
    assert form.action_items.rowCount() == 2  # done: no longer carried over
    monkeypatch.setattr("nicdesk.ui.meetings.page.QInputDialog.getText",
                        lambda *a, **k: ("Book the spring venue", True))
    form.add_action()
    with w.workspace.read() as s:
        new = s.query(ActionItem).filter_by(text="Book the spring venue").one()
        assert new.meeting_id == form.record_id
    row = [form.action_items.item(r, 0).text()
           for r in range(form.action_items.rowCount())].index("Book the spring venue")
    form.action_items.item(row, 2).setText("2026-03-01")
    with w.workspace.read() as s:
        assert str(s.get(ActionItem, new.id).due) == "2026-03-01"


def test_packet_dialog_builds_and_remembers(qtbot, demo_copy: Path, tmp_path: Path) -> None:
    from nicdesk.ui.meetings.packet_dialog import PacketDialog

    w = window_on(qtbot, demo_copy, WINTER)
    meeting_id = w.stack.currentWidget().form.record_id
    dialog = PacketDialog(w, meeting_id)
    qtbot.addWidget(dialog)
    # untick run charts, put action items first, choose A4
    for i in range(dialog.sections.count()):
        item = dialog.sections.item(i)
        if item.data(Qt.ItemDataRole.UserRole) in ("run_charts", "site_pages"):
            item.setCheckState(Qt.CheckState.Unchecked)
    actions_row = next(i for i in range(dialog.sections.count())
                       if dialog.sections.item(i).data(Qt.ItemDataRole.UserRole) == "actions")
    dialog.sections.setCurrentRow(actions_row)
    for _ in range(actions_row):
        dialog.move_section(-1)
    dialog.paper.setCurrentIndex(dialog.paper.findData("a4"))
    pine = next(i for i in range(dialog.sites.count())
                if dialog.sites.item(i).text() == "Pine Valley High School")
    dialog.sites.item(pine).setCheckState(Qt.CheckState.Unchecked)
    dialog.cycles.setValue(3)
    pages = dialog.count_pages()
    assert pages and dialog.pages.text() == f"{pages} pages"
    result = dialog.build(str(tmp_path / "packet.pdf"))
    assert result is not None and result.pages == pages and result.path.exists()
    assert result.sections[0] == "actions" and "run_charts" not in result.sections
    again = PacketDialog(w, meeting_id)
    qtbot.addWidget(again)
    assert again.options().sections == result.sections
    assert again.paper.currentData() == "a4"
    assert again.cycles.value() == 3 and again.options().measures is None
    assert len(again.options().sites) == again.sites.count() - 1


def test_new_meeting_from_the_navigator(qtbot, demo_copy: Path, monkeypatch) -> None:
    w = window_on(qtbot, demo_copy, "Great Lakes Focus Schools NIC/Meetings")
    monkeypatch.setattr("nicdesk.ui.shell.actions.QInputDialog.getText",
                        lambda *a, **k: ("Spring convening", True))
    node = w.navigator.current_node()
    label, action = next(a for a in w.commands.context_actions(node) if a[0] == "New meeting…")
    action()
    assert _meeting(w, "Spring convening").network_id == node.network_id
    page = w.stack.currentWidget()
    assert page.form.record_id == _meeting(w, "Spring convening").id
    assert page.form.agenda.rowCount() == 2
    items = page.form.action_items
    texts = [items.item(r, 0).text() for r in range(items.rowCount())]
    assert "Draft spread plan for 2026-27" in texts  # open items follow to the next meeting
