"""Issue 19, items 3, 8, 9, 12 and 13: editors get the room (at 1400×860 and 1024×700),
text is never cut or drawn over, words are a person's, both palettes read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QDialog, QLabel, QTabWidget

from nicdesk.ui.shell.main_window import MainWindow

from .conftest import window_on

FISHBONE = "Lincoln High School/Fishbones/Why do"
DRIVER = "Great Lakes Focus Schools NIC/Driver diagrams/Theory"
SIZES = [(1400, 860), (1024, 700)]


def settle(qtbot, w: MainWindow) -> None:
    qtbot.waitExposed(w)
    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(30)


def fitted_in_view(editor) -> bool:
    view = editor.view
    shown = view.mapFromScene(editor.scene.itemsBoundingRect()).boundingRect()
    return view.viewport().rect().adjusted(-1, -1, 1, 1).contains(shown)


# ------------------------------------------------------------------ item 3: room
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", [FISHBONE, DRIVER])
def test_diagram_gets_the_room_and_fits_on_open(qtbot, demo_copy: Path, size, path) -> None:
    w = window_on(qtbot, demo_copy, path, size=size)
    settle(qtbot, w)
    editor = w.stack.currentWidget()
    assert not w.details_dock.isVisible()  # collapsed until asked for
    assert editor.view.width() >= 0.55 * w.width(), (editor.view.width(), w.width())
    assert w.navigator.width() >= 180
    assert fitted_in_view(editor)
    # every action has its visible button: nothing falls into an overflow menu
    bar = editor.toolbar
    for action in bar.actions():
        button = bar.widgetForAction(action)
        assert button is not None and button.isVisible()
        assert bar.rect().contains(button.geometry()), action.text()


def test_navigator_is_not_left_squeezed_after_enlarging(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy, FISHBONE, size=(1024, 700))
    settle(qtbot, w)
    w.resize(1400, 860)
    settle(qtbot, w)
    assert w.navigator.width() >= 180
    assert w.stack.currentWidget().view.width() >= 0.55 * w.width()


def test_details_pane_is_a_view_menu_toggle(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy)
    settle(qtbot, w)
    toggle = next(a for a in w.view_menu.actions() if a.text().replace("&", "") == "Details")
    assert not toggle.isChecked() and not w.details_dock.isVisible()
    toggle.trigger()
    assert w.details_dock.isVisible()


def remembering_window(qtbot, path: Path, select: str) -> MainWindow:
    """A window that keeps its settings (in this test's own data folder)."""
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1400, 860)
    w.show()
    assert w.open_workspace(path)
    assert w.select_path(select)
    settle(qtbot, w)
    return w


def test_editor_splitter_is_remembered_per_page_kind(qtbot, demo_copy: Path) -> None:
    w = remembering_window(qtbot, demo_copy, FISHBONE)
    split = w.stack.currentWidget().splitter
    before = split.sizes()
    split.moveSplitter(before[0] - 150, 1)  # a person drags the divider left
    moved = split.sizes()
    assert moved[1] > before[1]
    w.close()
    again = remembering_window(qtbot, demo_copy, FISHBONE)
    assert abs(again.stack.currentWidget().splitter.sizes()[1] - moved[1]) <= 2
    again.select_path(DRIVER)  # another kind of page keeps its own
    settle(qtbot, again)
    assert abs(again.stack.currentWidget().splitter.sizes()[1] - moved[1]) > 20


# ------------------------------------------------------------------ item 8: text
def test_root_cause_check_box_is_not_cut(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy, FISHBONE, size=(1024, 700))
    settle(qtbot, w)
    box = next(c for c in w.stack.currentWidget().details.findChildren(QCheckBox)
               if c.text() == "Worth acting on")
    assert box.width() >= box.sizeHint().width()


def test_box_text_is_fitted_inside_its_room() -> None:
    from nicdesk.ui.diagram.items import fitted

    font = QFont()
    font.setPixelSize(13)
    font.setBold(True)
    lines = ["One in three Lincoln 9th graders", "WWWWWWWWWWWWWWWWWWWWWWWW"]
    rooms = [180.0, 180.0]
    assert QFontMetricsF(font).horizontalAdvance(lines[0]) > 180  # too wide as laid out
    small = fitted(font, lines[:1], rooms[:1])
    assert QFontMetricsF(small).horizontalAdvance(lines[0]) <= 180
    assert fitted(font, lines, rooms).pixelSize() >= 9  # never below 9 px: elided instead


def test_driver_node_count_leaves_the_text_alone(qtbot) -> None:
    """A node's last line is lifted when it reaches the count under it (the combined
    driver diagram's "4 sites · 8 cycles · X1 · A3")."""
    from PySide6.QtGui import QImage, QPainter

    from nicdesk.core.layout import LayoutNode, layout_driver
    from nicdesk.ui.diagram.scene import DiagramScene

    scene = DiagramScene()
    lay = layout_driver([LayoutNode("a", "aim", "Aim"),
                         LayoutNode("p", "primary", "Family outreach within a week of a "
                                    "warning sign")], [("a", "p")])
    scene.show_layout(lay, {"p": "testing"}, {"p": "4 sites · 8 cycles · X1 · A3"})
    image = QImage(400, 200, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    scene.nodes["p"].paint(painter, None)  # paints without raising, badge and count
    painter.end()
    from nicdesk.ui.diagram.items import fitted

    font = QFont()
    font.setPixelSize(13)
    box = lay.boxes["p"]
    # the words keep their size (only the badge's line is narrowed)
    assert fitted(font, list(box.lines), [box.width - 44] + [box.width - 20] * 9
                  ).pixelSize() >= 12


def test_matrix_headers_wrap_with_the_whole_name(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy, "Great Lakes Focus Schools NIC/Network view")
    page = w.stack.currentWidget()
    tabs = page.findChild(QTabWidget)
    tabs.setCurrentIndex(next(i for i in range(tabs.count())
                              if tabs.tabText(i).startswith("Change ideas")))
    settle(qtbot, w)
    table = page.matrix
    names = [table.horizontalHeaderItem(j) for j in range(table.columnCount())]
    cedar = next(h for h in names if h.toolTip().startswith("Cedar Creek"))
    assert cedar.text().replace("\n", " ") == cedar.toolTip()
    assert all(len(line) <= 22 for line in cedar.text().splitlines())


def test_bright_spot_sentences_span_the_row(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy, "Great Lakes Focus Schools NIC/Network view")
    page = w.stack.currentWidget()
    tabs = page.findChild(QTabWidget)
    tabs.setCurrentIndex(next(i for i in range(tabs.count())
                              if tabs.tabText(i).startswith("Bright")))
    settle(qtbot, w)
    spots = page.spots
    sentences = [spots.topLevelItem(i).child(j) for i in range(spots.topLevelItemCount())
                 for j in range(spots.topLevelItem(i).childCount())
                 if spots.topLevelItem(i).child(j).text(0).startswith("No PDSA cycles")]
    assert sentences and all(s.isFirstColumnSpanned() for s in sentences)
    site = spots.topLevelItem(0)
    room = spots.columnWidth(0)
    assert QFontMetricsF(site.font(0)).horizontalAdvance(site.text(0)) + 20 <= room


def test_pdsa_hints_sit_under_the_form(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy, "Lincoln High School/PDSA cycles")
    from nicdesk.ui.pdsa.page import PdsaPage

    page = w.pages.page("pdsa_cycle")
    assert isinstance(page, PdsaPage)
    layout = page.layout()
    assert layout.indexOf(page.hints) > layout.indexOf(page.tabs)


# ------------------------------------------------------------------ item 9: words
def test_undo_label_uses_the_forms_words(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy)
    ws = w.workspace
    with ws.read() as s:
        from nicdesk.store.schema import MODELS

        cycle = s.query(MODELS["pdsa_cycle"]).first()
        cycle_id = cycle.id
    w.runner.run(ws.ops.update, "pdsa_cycle", cycle_id, change_idea_id=None)
    assert ws.ops.undo_status()[0] == "Change idea of PDSA cycle"
    assert w.act_undo.text() == "&Undo change idea of PDSA cycle"
    w.undo()
    assert w.act_redo.text() == "&Redo change idea of PDSA cycle"


def test_window_title_names_nicdesk_once(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy)
    assert w.windowTitle() == "copy.nicdesk — NICdesk"  # Qt adds nothing to it
    assert w.windowTitle().replace("copy.nicdesk", "").count("NICdesk") == 1


def test_first_page_is_the_workspaces_own_site(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy)
    node = w.navigator.current_node()
    assert node.kind == "site" and node.id == w.workspace.meta()["local_site_id"]


def test_every_record_reads_as_a_table_with_raw_behind_an_expander(qtbot, demo_copy: Path,
                                                                    monkeypatch) -> None:
    from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QTreeWidget

    from nicdesk.services.exchange import export_kind, preview_export_records
    from nicdesk.store.workspace import Workspace
    from nicdesk.ui.exchange.export import ExportPreview

    with Workspace.open(demo_copy) as ws:
        kind = export_kind(ws)
        dialog = ExportPreview(None, {"aim": 1}, "State Office",
                               lambda: preview_export_records(ws, kind, None))
        qtbot.addWidget(dialog)
        seen = {}

        def look(shown: QDialog) -> None:
            tree = shown.findChild(QTreeWidget, "everyRecordTable")
            raw = shown.findChild(QPlainTextEdit, "everyRecord")
            seen["rows"] = [tree.topLevelItem(i).child(j).text(1)
                            for i in range(tree.topLevelItemCount())
                            for j in range(tree.topLevelItem(i).childCount())]
            seen["titles"] = [tree.topLevelItem(i).child(j).text(0)
                              for i in range(tree.topLevelItemCount())
                              for j in range(tree.topLevelItem(i).childCount())]
            seen["raw hidden"] = raw.isHidden()
            shown.findChild(QPushButton, "technicalDetails").click()
            seen["raw shown"] = not raw.isHidden()
            seen["raw"] = raw.toPlainText()

        monkeypatch.setattr(QDialog, "exec", lambda self: look(self))
        dialog.show_records()
    clock = re.compile(r"\d{15}-\d{6}")
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
    assert "Great Lakes Focus Schools NIC" in seen["titles"]
    technical = [r for r in seen["rows"] + seen["titles"] if clock.search(r) or uuid.search(r)]
    assert not technical, technical[:3]
    assert seen["raw hidden"] and seen["raw shown"] and clock.search(seen["raw"])


def test_empty_chart_axis_reads_as_dates(qtbot, demo_copy: Path) -> None:
    from nicdesk.store.views.series import measure_series
    from nicdesk.store.workspace import Workspace
    from nicdesk.ui.common.chart_view import ChartView

    with Workspace.open(demo_copy) as ws:
        site = ws.meta()["local_site_id"]
        net = ws.ops.create("network", name="Empty NIC").id
        measure = ws.ops.create("measure", network_id=net, name="Calls home",
                                kind="process", value_type="count").id
        series = measure_series(ws, measure, site)
    chart = ChartView()
    qtbot.addWidget(chart)
    chart.resize(800, 400)
    chart.show()
    chart.show_series(series)
    qtbot.waitExposed(chart)
    chart.grab()  # the axis measures its labels when painted
    axis = chart.plot.getAxis("bottom")
    low, high = chart.plot.getViewBox().viewRange()[0]
    assert high - low >= 7 * 86400  # weeks, not fractions of a second
    strings = [s for _spacing, values in axis.tickValues(low, high, 700)
               for s in axis.tickStrings(values, 1, _spacing)]
    assert strings and not any(re.fullmatch(r"\d\d\.\d{3}", s) for s in strings)


def test_create_workspace_dialog_says_where_the_file_goes(qtbot, data_dir: Path,
                                                          tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from nicdesk.ui.shell.app import run_welcome
    from nicdesk.ui.shell.welcome import SchoolDialog, WelcomeDialog

    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.show()
    chosen = tmp_path / "Documents"
    chosen.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(chosen)))
    seen = {}

    def exec_(self) -> int:
        if isinstance(self, WelcomeDialog):
            self.choose("create")
            return 1
        assert isinstance(self, SchoolDialog)
        self.show()
        seen["size"] = (self.width(), self.height())
        self.school.setText("Cedar Elementary")
        seen["default"] = self.where.text()
        self.choose_button.click()
        seen["chosen"] = self.where.text()
        return 1

    monkeypatch.setattr(QDialog, "exec", exec_)
    assert run_welcome(w) == "create"
    assert seen["size"][0] >= 500 and seen["size"][1] >= 180
    assert seen["default"] == str(data_dir / "Cedar Elementary.nicdesk")
    assert seen["chosen"] == str(chosen / "Cedar Elementary.nicdesk")
    assert w.workspace.path == chosen / "Cedar Elementary.nicdesk"
    assert str(chosen / "Cedar Elementary.nicdesk") in w.statusBar().currentMessage()
    w.close_workspace()


# ------------------------------------------------------------------ item 12: palettes
def _contrast(a: QColor, b: QColor) -> float:
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def dark_palette() -> QPalette:
    p = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                         (QPalette.ColorRole.WindowText, "#e8e8e8"),
                         (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.Text, "#e8e8e8"),
                         (QPalette.ColorRole.Button, "#353535"),
                         (QPalette.ColorRole.ButtonText, "#e8e8e8")):
        p.setColor(role, QColor(colour))
    return p


@pytest.mark.parametrize("dark", [False, True])
def test_hints_and_signals_read_in_both_palettes(qtbot, demo_copy: Path, dark: bool) -> None:
    from nicdesk.ui.common.widgets import tone

    app = QApplication.instance()
    old = app.palette()
    if dark:
        app.setPalette(dark_palette())
    try:
        w = window_on(qtbot, demo_copy, FISHBONE)
        editor = w.stack.currentWidget()
        hint = editor.hint
        assert "color" not in hint.styleSheet()
        palette = hint.palette()
        ink = palette.color(hint.foregroundRole())
        assert _contrast(ink, palette.color(QPalette.ColorRole.Window)) >= 3.0
        for label in editor.findChildren(QLabel):
            assert "#555555" not in label.styleSheet()
        base = palette.color(QPalette.ColorRole.Base)
        for name in ("improvement", "concern", "special", "unusual", "problem"):
            assert _contrast(tone(name, palette), base) >= 3.0, name
    finally:
        app.setPalette(old)


def test_diagram_view_fit_never_enlarges_past_full_size(qtbot) -> None:
    from nicdesk.core.layout import LayoutNode, layout_driver
    from nicdesk.ui.diagram.scene import DiagramScene, DiagramView

    scene = DiagramScene()
    scene.show_layout(layout_driver([LayoutNode("a", "aim", "Aim")], []))
    view = DiagramView(scene)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    view.fit_on_open()
    assert view.zoom <= 1.0
    rect = QRectF(view.viewport().rect())
    assert rect.contains(QRectF(view.mapFromScene(scene.itemsBoundingRect()).boundingRect()))


# ------------------------------------------------------------------ item 13: README
def test_readme_install_line_lists_every_library_make_run_installs() -> None:
    root = Path(__file__).resolve().parents[2]
    script = (root / "tools" / "qt-system-libs").read_text()
    packages = set(re.findall(r"\)\s*echo ([a-z0-9.+-]+) ;;", script))
    assert {"libxcb-icccm4", "libxcb-keysyms1"} <= packages
    readme = (root / "README.md").read_text()
    line = next(x for x in readme.split("`") if x.startswith("apt-get install libegl1"))
    missing = {p for p in packages if p not in line.split()}
    assert not missing, missing


def test_tinted_cells_keep_dark_text_in_dark_palettes() -> None:
    """Cells painted a light tint (a refused grid value, an overdue cycle) set their own
    dark text, so they read in a dark theme, where the default text is light."""
    import datetime as dt

    from PySide6.QtCore import Qt

    from nicdesk.store.ops.pdsa import CycleRow
    from nicdesk.ui.measures import data_grid
    from nicdesk.ui.pdsa.lists import CycleModel

    light_text = dark_palette().color(QPalette.ColorRole.Text)
    assert _contrast(light_text, data_grid.BAD) < 3  # the default would not read
    assert _contrast(data_grid.BAD_TEXT, data_grid.BAD) >= 4.5
    row = CycleRow("c1", "Lincoln", "Check-ins", "Check-ins, cycle 1", 1, "one class",
                   dt.date(2025, 1, 6), dt.date(2025, 1, 10), "doing", "", True, 0)
    model = CycleModel()
    model.set_rows([row])
    index = model.index(0, 0)
    back = model.data(index, Qt.ItemDataRole.BackgroundRole)
    fore = model.data(index, Qt.ItemDataRole.ForegroundRole)
    assert back is not None and fore is not None and _contrast(fore, back) >= 4.5
