"""Progress scores, the network timeline and the year-in-review action through real
widgets on the Network view: the score dialog shows the chosen score's meaning and
records it (stored, charted), milestones are added, edited and deleted, "Add the usual
milestones" asks first and adds nothing when declined, and the review dialog writes the
PDF (or keeps the dialog open saying why)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox

from nicdesk.store.schema import Milestone, ProgressScore, Site
from nicdesk.ui.network.progress_tab import ScoreDialog
from nicdesk.ui.network.review_dialog import ReviewDialog
from nicdesk.ui.network.timeline_tab import MilestoneDialog

from .conftest import settle, when_modal, window_on

SHOTS = os.environ.get("NICDESK_SHOTS")  # a folder: keep the screenshots there


def _shot(widget, name: str, tmp_path: Path) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    image = widget.grab().toImage()
    assert image.save(str(folder / f"{name}.png"))


def _page(qtbot, path: Path):
    w = window_on(qtbot, path, "Great Lakes Focus Schools NIC/Network view")
    return w, w.stack.currentWidget()


def _live(ws, model) -> list:
    with ws.read() as s:
        return list(s.query(model).filter_by(deleted=False))


def test_progress_tab_charts_every_school_and_records_a_score(qtbot, demo_copy: Path,
                                                               tmp_path: Path) -> None:
    w, page = _page(qtbot, demo_copy)
    page.tabs.setCurrentWidget(page.progress_panel)
    settle(20)
    panel = page.progress_panel
    assert len(panel.plots) == 6  # the network's own and five schools
    assert "6 of 6 (the network and its sites) have a score" in panel.note.text()
    _shot(page, "progress-tab", tmp_path)
    ws = w.workspace
    with ws.read() as s:
        cedar = s.query(Site).filter_by(name="Cedar Creek Junior-Senior High").one().id
    before = len(_live(ws, ProgressScore))

    def fill(d: ScoreDialog) -> None:
        assert not d.ok.isEnabled()  # no score chosen yet
        d.site.setCurrentIndex(d.site.findData(cedar))
        d.day.setDate(QDate(2026, 5, 18))
        d.score.setCurrentIndex(d.score.findData("3.0"))
        assert "Modest improvement" in d.meaning.text()
        assert "small scale" in d.meaning.text()
        d.note.setPlainText("Check-ins in two advisories")
        _shot(d, "score-dialog", tmp_path)
        d.ok.click()

    when_modal(ScoreDialog, fill)
    panel.record_score()
    rows = _live(ws, ProgressScore)
    assert len(rows) == before + 1
    new = next(r for r in rows if r.date == dt.date(2026, 5, 18))
    assert (new.site_id, new.score, new.note) == (cedar, "3.0", "Check-ins in two advisories")
    cedar_row = next(r for r in panel.board.rows if r.site_id == cedar)
    assert cedar_row.steps()[1][-1] == 3.0


def test_timeline_add_edit_delete_and_usual(qtbot, demo_copy: Path, tmp_path: Path) -> None:
    w, page = _page(qtbot, demo_copy)
    page.tabs.setCurrentWidget(page.timeline_panel)
    settle(20)
    panel = page.timeline_panel
    ws = w.workspace
    assert panel.table.rowCount() == len(_live(ws, Milestone)) - 4  # Minnesota's apart
    _shot(page, "timeline-tab", tmp_path)

    def add(d: MilestoneDialog) -> None:
        assert not d.ok.isEnabled()  # a milestone needs a title
        d.title.setText("Family night")
        d.kind.setCurrentText("other")
        d.has_planned.setChecked(True)
        d.planned_date.setDate(QDate(2026, 10, 8))
        d.responsible.setText("Keisha Moore")
        d.ok.click()

    when_modal(MilestoneDialog, add)
    panel.add()
    stored = next(m for m in _live(ws, Milestone) if m.title == "Family night")
    assert (stored.planned, stored.done, stored.responsible) == (
        dt.date(2026, 10, 8), None, "Keisha Moore")
    row = next(i for i, r in enumerate(panel.rows) if r.title == "Family night")
    panel.table.selectRow(row)

    def edit(d: MilestoneDialog) -> None:
        assert d.title.text() == "Family night"
        d.has_done.setChecked(True)
        d.done_date.setDate(QDate(2026, 10, 9))
        d.ok.click()

    when_modal(MilestoneDialog, edit)
    panel.edit()
    assert next(m for m in _live(ws, Milestone) if m.title == "Family night").done == \
        dt.date(2026, 10, 9)
    panel.table.selectRow(next(i for i, r in enumerate(panel.rows) if r.title == "Family night"))
    panel.delete()
    assert "Family night" not in {m.title for m in _live(ws, Milestone)}
    # the demo has every usual kind: without its sustainability plan, that one is offered
    with ws.read() as s:
        net = page.network_id
        for m in s.query(Milestone).filter_by(network_id=net, kind="sustainability plan"):
            sid = m.id
    ws.ops.delete("milestone", sid)
    count = len(_live(ws, Milestone))
    when_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.No).click())
    panel.usual(dt.date(2026, 7, 1))
    assert len(_live(ws, Milestone)) == count  # declined: nothing added

    def yes(box: QMessageBox) -> None:
        assert "Sustainability plan agreed — planned" in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()

    when_modal(QMessageBox, yes)
    panel.usual(dt.date(2026, 7, 1))
    added = [m for m in _live(ws, Milestone) if m.kind == "sustainability plan"
             and m.network_id == net]
    assert len(added) == 1 and added[0].planned == dt.date(2026, 7, 1) + dt.timedelta(weeks=40)


def test_year_in_review_dialog(qtbot, demo_file: Path, tmp_path: Path) -> None:
    _w, page = _page(qtbot, demo_file)
    target = tmp_path / "year.pdf"

    def refuse_then_build(d: ReviewDialog) -> None:
        d.path.setText(str(target))
        d.start.setDate(QDate(2025, 8, 1))
        d.end.setDate(QDate(2024, 7, 31))
        d.build()
        assert "before it starts" in d.problem.text() and d.isVisible()
        assert not target.exists()
        d.start.setDate(QDate(2024, 8, 1))
        d.end.setDate(QDate(2025, 7, 31))
        _shot(d, "review-dialog", tmp_path)
        d.build()

    when_modal(ReviewDialog, refuse_then_build)
    assert page.year_in_review() == target
    outline = [i.title for i in PdfReader(target).outline if not isinstance(i, list)]
    assert outline[0] == "The aim and its measures across the network"
    assert "Network timeline" in outline


def test_a_score_is_edited_and_deleted_from_its_site_list(qtbot, demo_copy: Path,
                                                         tmp_path: Path) -> None:
    w, page = _page(qtbot, demo_copy)
    page.tabs.setCurrentWidget(page.progress_panel)
    settle(20)
    panel = page.progress_panel
    ws = w.workspace
    lincoln = next(p for p in panel.plots if p.accessibleName().endswith("Lincoln High School"))
    lincoln.clicked.emit(lincoln.site_id)
    assert panel.site_id == lincoln.site_id
    assert panel.entries.item(0, 1).text() == "4.5 Sustainable improvement"  # newest first
    assert panel.detail.accessibleName() == "Progress scores of Lincoln High School"
    settle(20)
    _shot(page, "progress-detail", tmp_path)
    panel.entries.selectRow(0)

    def lower(d: ScoreDialog) -> None:
        assert not d.site.isEnabled() and d.score.currentData() == "4.5"
        d.score.setCurrentIndex(d.score.findData("4.0"))
        d.ok.click()

    when_modal(ScoreDialog, lower)
    panel.edit_score()
    newest = max((r for r in _live(ws, ProgressScore) if r.site_id == lincoln.site_id),
                 key=lambda r: r.date)
    assert newest.score == "4.0"
    count = len(_live(ws, ProgressScore))
    panel.entries.selectRow(0)
    panel.delete_score()
    assert len(_live(ws, ProgressScore)) == count - 1
    assert panel.entries.item(0, 0).text() == "2026-01-19"
    ws.ops.undo()  # the shell redraws the tab in front from the stored scores
    settle(20)
    assert len(_live(ws, ProgressScore)) == count


def test_a_site_writes_only_its_own_scores_and_no_network_milestone(qtbot, tmp_path: Path
                                                                    ) -> None:
    from nicdesk.demo.network import build_network_demo

    files = build_network_demo(tmp_path / "net")
    school = next(f for f in files if f.name == "lincoln-high-school.nicdesk")
    w, page = _page(qtbot, school)
    page.tabs.setCurrentWidget(page.progress_panel)
    settle(20)
    rows = page.progress_panel.writable_rows()
    assert [name for _sid, name in rows] == ["Lincoln High School"]
    ws = w.workspace
    page.tabs.setCurrentWidget(page.timeline_panel)
    settle(20)
    panel = page.timeline_panel
    before = [(m.id, m.title, m.done) for m in _live(ws, Milestone)]
    panel.table.selectRow(0)
    panel.delete()  # the network's charter milestone: the coordinator's
    assert panel.problem.isVisibleTo(panel)
    assert panel.problem.text().startswith("This milestone is owned by State Office of "
                                           "School Improvement")
    panel.usual(dt.date(2026, 7, 1))
    assert [(m.id, m.title, m.done) for m in _live(ws, Milestone)] == before


def test_small_window_progress_note_whole_and_axes_named(qtbot, demo_file: Path,
                                                          tmp_path: Path) -> None:
    """At 1024×700 the note above the charts is read whole (it wraps, not cut at the
    window's edge), and the full-size chart names what its axes hold."""
    from PySide6.QtCore import QRect, Qt

    w = window_on(qtbot, demo_file, "Great Lakes Focus Schools NIC/Network view",
                  size=(1024, 700))
    page = w.stack.currentWidget()
    page.tabs.setCurrentWidget(page.progress_panel)
    settle(60)
    note = page.progress_panel.note
    needed = note.fontMetrics().boundingRect(
        QRect(0, 0, note.width(), 10_000), Qt.TextFlag.TextWordWrap, note.text())
    assert needed.height() <= note.height(), "the note's end is cut off"
    _shot(page, "progress-small", tmp_path)
    detail = page.progress_panel.detail
    assert "progress score" in detail.getAxis("left").labelText
    assert "date" in detail.getAxis("bottom").labelText


def test_timeline_strip_says_what_its_marks_mean(qtbot, demo_file: Path,
                                                  tmp_path: Path) -> None:
    """The strip's filled, hollow and crossed marks are explained under it (as the PDF's
    timeline does), and its labels carry the full year, like the table under it."""
    from nicdesk.ui.network.timeline_tab import strip_label

    _w, page = _page(qtbot, demo_file)
    page.tabs.setCurrentWidget(page.timeline_panel)
    settle(20)
    panel = page.timeline_panel
    assert panel.legend.isVisibleTo(panel)
    for words in ("● done", "○ planned", "⊗ planned date passed"):
        assert words in panel.legend.text()
    charter = next(r for r in panel.strip.rows if r.title == "Charter agreed")
    assert strip_label(charter) == "30 Aug 2024 Charter agreed"  # its done date
    _shot(page, "timeline-legend", tmp_path)


def test_small_multiples_fit_the_width_they_are_given(qtbot, demo_file: Path,
                                                      tmp_path: Path) -> None:
    """In a 1024×700 window every progress chart is reached by scrolling down, none
    sideways: the charts flow into as many columns as the width holds, and back to
    more when the window grows."""
    w = window_on(qtbot, demo_file, "Great Lakes Focus Schools NIC/Network view",
                  size=(1024, 700))
    page = w.stack.currentWidget()
    page.tabs.setCurrentWidget(page.progress_panel)
    settle(60)
    panel = page.progress_panel
    viewport = panel.charts_area.viewport()
    for plot in panel.plots:
        right = plot.mapTo(panel.inner, plot.rect().topRight()).x()
        assert right <= viewport.width(), f"{plot.accessibleName()} needs a sideways scroll"
    assert not panel.charts_area.horizontalScrollBar().isVisible()
    narrow = panel.columns()
    w.resize(1400, 900)
    settle(60)
    assert panel.columns() > narrow
    rows = {panel.grid.getItemPosition(panel.grid.indexOf(p))[0] for p in panel.plots}
    assert len(rows) == -(-len(panel.plots) // panel.columns())  # filled row by row
