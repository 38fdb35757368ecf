"""Help where the person is: the guide window (contents, search, links, Back/Forward,
Print to PDF), F1 and the toolbar's "?" on every page, and the measure page's signals
explained with the chart's own numbers, each linked to its rule's page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication, QToolButton

from nicdesk import guide
from nicdesk.ui.help import guide_window, open_guide
from nicdesk.ui.shell.navigator import node_key
from nicdesk.ui.shell.pages import GROUP_GUIDES, PAGES, guide_for, page_key

from .conftest import window_on


@pytest.fixture
def guide_win(qtbot):
    window = open_guide("run-charts")
    qtbot.addWidget(window)  # closed (and deleted) with the test
    return window


def test_open_guide_shows_the_page_asked_for(guide_win) -> None:
    assert guide_win.current_slug == "run-charts"
    assert guide_win.page_text().startswith("Run charts")
    assert "Run charts" in guide_win.windowTitle()
    assert guide_window() is guide_win
    assert open_guide("pdsa") is guide_win  # one window, turned to the page
    assert guide_win.page_text().startswith("PDSA cycles and ramps")


def test_links_between_pages_and_back_and_forward(guide_win, qtbot) -> None:
    guide_win.browser.anchorClicked.emit(QUrl("rule-shift.md"))
    assert guide_win.current_slug == "rule-shift"
    assert guide_win.back_button.isEnabled() and not guide_win.forward_button.isEnabled()
    qtbot.mouseClick(guide_win.back_button, Qt.MouseButton.LeftButton)
    assert guide_win.current_slug == "run-charts"
    qtbot.mouseClick(guide_win.forward_button, Qt.MouseButton.LeftButton)
    assert guide_win.current_slug == "rule-shift"
    guide_win.browser.anchorClicked.emit(QUrl("no-such-page.md"))  # ignored, not a crash
    assert guide_win.current_slug == "rule-shift"


def test_the_contents_list_every_page_by_section(guide_win, qtbot) -> None:
    tree = guide_win.contents
    sections = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert sections == list(guide.SECTIONS)
    titles = [tree.topLevelItem(i).child(j).text(0) for i in range(len(sections))
              for j in range(tree.topLevelItem(i).childCount())]
    assert titles == [p.title for p in guide.PAGES.values()]
    item = guide_win._items["glossary"]
    tree.itemClicked.emit(item, 0)
    assert guide_win.current_slug == "glossary"


def test_search_by_typing_and_enter_opens_the_best_page(guide_win, qtbot) -> None:
    guide_win.search_box.setFocus()
    qtbot.keyClicks(guide_win.search_box, "anhoj crossings")
    assert guide_win.results.isVisibleTo(guide_win) and not guide_win.contents.isVisibleTo(
        guide_win)
    hits = guide_win.search_hits()
    assert hits == [h.slug for h in guide.search("anhoj crossings")]
    qtbot.keyClick(guide_win.search_box, Qt.Key.Key_Return)
    assert guide_win.current_slug == hits[0]
    guide_win.search_box.clear()
    assert guide_win.contents.isVisibleTo(guide_win)
    qtbot.keyClicks(guide_win.search_box, "zzyzx")
    assert not guide_win.search_hits() and "zzyzx" in guide_win.no_hits.text()


def test_a_question_opens_its_page_with_the_words_searched_for_marked(guide_win, qtbot) -> None:
    """The new-user test's question: "how many points" opens Run charts, with "points"
    marked in it and never "how" or "many"."""
    guide_win.show_page("pdsa")
    guide_win.search_box.clear()  # one guide window per app: an earlier search may stay
    qtbot.keyClicks(guide_win.search_box, "how many points")
    assert guide_win.search_hits()[0] == "run-charts"
    assert "points" in guide_win.results.item(0).text()
    qtbot.keyClick(guide_win.search_box, Qt.Key.Key_Return)
    assert guide_win.current_slug == "run-charts"
    marked = guide_win.highlighted()
    assert marked and {m.casefold() for m in marked} <= {"point", "points"}, marked
    assert "point" in guide_win.browser.textCursor().block().text().casefold()
    # "privacy": the Bundles page, its word "private" marked
    guide_win.search_box.clear()
    qtbot.keyClicks(guide_win.search_box, "privacy")
    row = guide_win.search_hits().index("bundles")
    guide_win.results.itemClicked.emit(guide_win.results.item(row))
    assert guide_win.current_slug == "bundles"
    assert {m.casefold() for m in guide_win.highlighted()} == {"private"}
    # a page opened from the contents or a link marks nothing
    guide_win.show_page("run-charts")
    assert guide_win.highlighted() == []


def test_print_to_pdf_writes_the_page(guide_win, tmp_path: Path, monkeypatch) -> None:
    from pypdf import PdfReader

    guide_win.show_page("rule-runs")
    target = tmp_path / "runs.pdf"
    monkeypatch.setattr("nicdesk.ui.help.window.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "runs"), "PDF document (*.pdf)"))
    guide_win.print_button.click()  # through the file dialog: ".pdf" is added to the name
    assert guide_win.last_pdf == target
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(str(target))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Too few or too many runs" in text and "Perla" in text
    assert reader.metadata.title.startswith("Too few or too many runs")
    monkeypatch.setattr("nicdesk.ui.help.window.QFileDialog.getSaveFileName",
                        lambda *a, **k: ("", ""))
    assert guide_win.print_pdf() is None  # cancelled: nothing written


def test_every_page_kind_has_a_guide_page_and_every_group_too() -> None:
    for key, spec in PAGES.items():
        assert spec.guide in guide.PAGES, key
        assert spec.guide != "start", f"{key} has no guide page of its own"
    for group, slug in GROUP_GUIDES.items():
        assert slug in guide.PAGES, group


def _nodes(tree):
    for node in tree:
        yield node
        yield from _nodes(node.children)


def test_f1_and_the_question_mark_open_each_pages_guide_page(qtbot, demo_copy: Path) -> None:
    """Walk the page registry: show each kind of page as a person reaches it (through the
    navigator where it lists one), press F1, and read the page the guide shows."""
    from nicdesk.store.views.navigator import navigator

    w = window_on(qtbot, demo_copy)
    tree = navigator(w.workspace)
    first: dict[str, object] = {}
    for node in _nodes(tree):
        key = page_key(node)
        if key is not None and key not in first and (key != "measure" or node.site_id):
            first[key] = node
    ask = w.commands.act_help_button
    button = w.findChild(QToolButton, "helpHereButton")  # the toolbar's "?"
    assert button is not None and button.isVisible() and button.text() == "?"
    seen = []
    for key, spec in PAGES.items():
        node = first.get(key)
        if node is not None:
            assert w.navigator.select_key(node_key(node)), key
        else:  # a page no navigator item shows in the sample: put it in front directly
            page = w.pages.page(key)
            w.stack.setCurrentWidget(page)
        w.activateWindow()  # back from the guide to the work, as a person clicks back
        qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
        qtbot.keyClick(w.stack.currentWidget(), Qt.Key.Key_F1)
        shown = guide_window()
        assert shown is not None, key
        assert shown.current_slug == spec.guide, key
        assert shown.page_text().startswith(guide.PAGES[spec.guide].title), key
        shown.show_page("glossary")  # the "?" turns it back to this page's
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert shown.current_slug == spec.guide, key
        ask.hovered.emit()
        assert guide.PAGES[spec.guide].title in button.toolTip()
        seen.append(key)
    assert seen == list(PAGES)
    shown.close()


def test_summary_items_open_their_groups_page(qtbot, demo_copy: Path) -> None:
    from nicdesk.store.views.navigator import navigator

    w = window_on(qtbot, demo_copy)
    for node in _nodes(navigator(w.workspace)):
        if node.kind == "group" and page_key(node) is None:
            assert guide_for(node) == GROUP_GUIDES[node.group]
            assert w.navigator.select_key(node_key(node))
            assert w.pages.guide_slug() == GROUP_GUIDES[node.group]
            break
    else:
        pytest.fail("the sample has no group shown as a summary")
    w.commands.act_help_here.trigger()
    assert guide_window().current_slug == w.pages.guide_slug()
    guide_window().close()


def test_help_menu_offers_the_guide_and_help_on_this_page(qtbot, demo_copy: Path) -> None:
    from PySide6.QtGui import QKeySequence

    w = window_on(qtbot, demo_copy)
    menu = next(a.menu() for a in w.menuBar().actions() if a.text().replace("&", "") == "Help")
    texts = [a.text().replace("&", "") for a in menu.actions()]
    assert "Guide" in texts and "Help on This Page" in texts
    assert w.commands.act_help_here.shortcut() == QKeySequence(
        QKeySequence.StandardKey.HelpContents)
    w.commands.act_guide.trigger()
    assert guide_window().current_slug == "start"
    guide_window().close()


def test_measure_signals_are_explained_with_the_charts_numbers(qtbot, demo_copy: Path) -> None:
    from nicdesk.core.explain import explain_series

    w = window_on(qtbot, demo_copy, "Lincoln High School/Measures/Weekly")
    page = w.stack.currentWidget()
    analysis = page.series.analysis
    assert analysis.signals, "the sample's weekly check-ins show signals"
    expected = explain_series(analysis, percent=page.series.percent)
    assert page.explanations == expected
    assert page.why.isVisibleTo(page)
    words = page.why.toPlainText()
    for explanation in expected:
        assert explanation.text in words
        assert any(ch.isdigit() for ch in explanation.text)
    # each explanation links to its rule's page; following one opens it
    html = page.why.toHtml()
    for explanation in expected:
        assert guide.link(guide.rule_page(explanation.rule)) in html
    page.why.anchorClicked.emit(QUrl(guide.link(guide.rule_page(expected[0].rule))))
    assert guide_window().current_slug == guide.rule_page(expected[0].rule)
    # each signal's line in the list carries its explanation; Enter opens its rule's page
    for row, explanation in enumerate(expected):
        assert explanation.text in page.chart.signals.item(row).toolTip()
    guide_window().show_page("start")
    signals = page.chart.signals
    signals.setCurrentRow(len(expected) - 1)
    signals.itemActivated.emit(signals.item(len(expected) - 1))
    assert guide_window().current_slug == guide.rule_page(expected[-1].rule)
    # F1 on the chart tab is about run charts, on the Definition tab about measures
    assert w.pages.guide_slug() == "run-charts"
    page.tabs.setCurrentWidget(page.form)
    assert w.pages.guide_slug() == "measures"
    guide_window().close()


def test_a_chart_without_signals_shows_no_explanations(qtbot, tmp_path: Path) -> None:
    from .conftest import referrals_window

    w = referrals_window(qtbot, tmp_path / "r.nicdesk", frequency="weekly", direction="down")
    page = w.stack.currentWidget()
    assert page.explanations == []
    assert not page.why.isVisibleTo(page) and not page.why_title.isVisibleTo(page)


def test_keys_in_the_guide_find_zoom_and_come_home(guide_win, qtbot) -> None:
    guide_win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is guide_win)
    guide_win.browser.setFocus()
    qtbot.keyClick(guide_win.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert guide_win.search_box.hasFocus()
    size = guide_win.browser.font().pointSizeF()
    qtbot.keyClick(guide_win.browser, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert guide_win.browser.font().pointSizeF() > size
    qtbot.keyClick(guide_win.browser, Qt.Key.Key_F1)
    assert guide_win.current_slug == "start"
