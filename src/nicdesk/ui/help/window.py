"""Help → Guide: the guide's pages in a window of their own, beside the work.

Contents on the left (sections, then pages), a search box above them (a word or a
question, over every page: `nicdesk.guide.search`), the page on the right in a
`QTextBrowser` reading its Markdown, links between pages followed inside the window
(Back and Forward remember them), and *Print to PDF…* writing the page shown with
`QPdfWriter` (QtGui: the packaged app leaves QtPrintSupport out).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QLocale, QMarginsF, QRegularExpression, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import guide

SLUG_ROLE = Qt.ItemDataRole.UserRole
TERMS_ROLE = Qt.ItemDataRole.UserRole + 1  # a search hit's words to highlight
HIGHLIGHT = QColor("#ffe98a")  # the search's words in the page: a marker's yellow


class GuideWindow(QWidget):
    """The guide: contents, search, the page, Back/Forward and Print to PDF."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("guideWindow")
        # closing the last main window quits NICdesk even while the guide is open
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setWindowTitle("NICdesk Guide")
        self.resize(1000, 720)
        self.current_slug = ""
        self.last_pdf: Path | None = None
        self._back: list[str] = []
        self._forward: list[str] = []
        # left: search and contents (or the search's results)
        left = QWidget()
        side = QVBoxLayout(left)
        side.setContentsMargins(8, 8, 4, 8)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("guideSearch")
        self.search_box.setPlaceholderText("Search: a word or a question")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("Search the guide")
        self.search_box.textChanged.connect(self._search)
        self.search_box.returnPressed.connect(self._open_first_hit)
        side.addWidget(self.search_box)
        self.contents = QTreeWidget()
        self.contents.setObjectName("guideContents")
        self.contents.setHeaderHidden(True)
        self.contents.setAccessibleName("Contents")
        self._items: dict[str, QTreeWidgetItem] = {}
        sections: dict[str, QTreeWidgetItem] = {}
        for info in guide.PAGES.values():
            head = sections.get(info.section)
            if head is None:
                head = sections[info.section] = QTreeWidgetItem([info.section])
                head.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = head.font(0)
                font.setBold(True)
                head.setFont(0, font)
                self.contents.addTopLevelItem(head)
            item = QTreeWidgetItem([info.title])
            item.setData(0, SLUG_ROLE, info.slug)
            head.addChild(item)
            self._items[info.slug] = item
        self.contents.expandAll()
        self.contents.itemActivated.connect(self._contents_chosen)
        self.contents.itemClicked.connect(self._contents_chosen)
        side.addWidget(self.contents, 1)
        self.results = QListWidget()
        self.results.setObjectName("guideResults")
        self.results.setAccessibleName("Search results")
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.results.setSpacing(2)
        self.results.itemActivated.connect(self._result_chosen)
        self.results.itemClicked.connect(self._result_chosen)
        self.results.hide()
        side.addWidget(self.results, 1)
        self.no_hits = QLabel()
        self.no_hits.setWordWrap(True)
        self.no_hits.hide()
        side.addWidget(self.no_hits)
        # right: buttons and the page
        right = QWidget()
        body = QVBoxLayout(right)
        body.setContentsMargins(4, 8, 8, 8)
        bar = QHBoxLayout()
        self.back_button = self._button("◀ Back", "Back to the page before", self.back,
                                        QKeySequence.StandardKey.Back)
        self.forward_button = self._button("Forward ▶", "Forward again", self.forward,
                                           QKeySequence.StandardKey.Forward)
        self.home_button = self._button("Contents", "The guide's first page",
                                        lambda: self.show_page("start"))
        self.print_button = self._button("Print to PDF…", "Save this page as a PDF file, to "
                                         "print or share", self.print_pdf,
                                         QKeySequence.StandardKey.Print)
        for button in (self.back_button, self.forward_button, self.home_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        body.addLayout(bar)
        self.browser = QTextBrowser()
        self.browser.setObjectName("guidePage")
        self.browser.setAccessibleName("Guide page")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._link)
        self.browser.document().setDocumentMargin(18)
        font = self.browser.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.browser.setFont(font)
        body.addWidget(self.browser, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([270, 730])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(splitter)
        keys = QKeySequence.StandardKey
        for key, slot in ((keys.Find, self._find),  # Ctrl+F: the search box
                          (keys.HelpContents, lambda: self.show_page("start")),  # F1 here
                          (keys.ZoomIn, lambda: self.browser.zoomIn(1)),  # for a projector
                          (keys.ZoomOut, lambda: self.browser.zoomOut(1))):
            QShortcut(QKeySequence(key), self, slot)
        self.show_page("start", remember=False)

    def _find(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _button(self, text: str, tip: str, slot: object,
                key: QKeySequence.StandardKey | None = None) -> QPushButton:
        button = QPushButton(text)
        if key is not None:
            button.setShortcut(QKeySequence(key))
            shortcut = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
            if shortcut:
                tip = f"{tip} ({shortcut})"
        button.setToolTip(tip)
        button.setStatusTip(tip)
        button.clicked.connect(lambda _checked=False: slot())  # type: ignore[operator]
        return button

    # ------------------------------------------------------------------ pages
    def show_page(self, slug: str, *, remember: bool = True,
                  find: str | Sequence[str] = "") -> None:
        """Show the page `slug` (an unknown one shows the first page, with a word on
        why); `find`: words to highlight, scrolled to the first (a search hit's words
        as the page writes them, `SearchHit.terms` — never the question's "how")."""
        if slug not in guide.PAGES:
            slug, note = "start", f"*The guide has no page “{slug}”; here is its first page.*\n\n"
        else:
            note = ""
        if remember and self.current_slug and slug != self.current_slug:
            self._back.append(self.current_slug)
            self._forward.clear()
        self.current_slug = slug
        page = guide.page(slug)
        self.browser.setMarkdown(note + page.markdown)
        self.setWindowTitle(f"{page.title} — NICdesk Guide")
        item = self._items.get(slug)
        if item is not None:
            self.contents.blockSignals(True)
            self.contents.setCurrentItem(item)
            self.contents.blockSignals(False)
        self.browser.verticalScrollBar().setValue(0)
        self._highlight([find] if isinstance(find, str) else list(find))
        self._update_buttons()

    def _highlight(self, words: list[str]) -> None:
        """Mark every whole-word occurrence of `words` in the page and scroll to the first
        one below the title (the page's top when only the title holds one)."""
        words = [w for w in words if w.strip()]
        selections: list[QTextEdit.ExtraSelection] = []
        if words:
            alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len,
                                                                   reverse=True))
            options = (QRegularExpression.PatternOption.CaseInsensitiveOption
                       | QRegularExpression.PatternOption.UseUnicodePropertiesOption)
            pattern = QRegularExpression(rf"\b(?:{alternatives})\b", options)
            mark = QTextCharFormat()
            mark.setBackground(HIGHLIGHT)
            document = self.browser.document()
            found = document.find(pattern, 0)
            first: QTextCursor | None = None
            while not found.isNull():
                selection = QTextEdit.ExtraSelection()
                selection.cursor = found
                selection.format = mark
                selections.append(selection)
                if first is None and found.block().blockNumber() > 0:
                    first = QTextCursor(found)
                found = document.find(pattern, found)
            if first is not None:
                first.clearSelection()
                self.browser.setTextCursor(first)
                self.browser.ensureCursorVisible()
        self.browser.setExtraSelections(selections)

    def highlighted(self) -> list[str]:
        """The words the page shows highlighted, in order (from a search)."""
        return [s.cursor.selectedText() for s in self.browser.extraSelections()]

    def page_text(self) -> str:
        """The page shown, as plain text (what a reader sees)."""
        return self.browser.toPlainText()

    def back(self) -> None:
        if self._back:
            self._forward.append(self.current_slug)
            self.show_page(self._back.pop(), remember=False)

    def forward(self) -> None:
        if self._forward:
            self._back.append(self.current_slug)
            self.show_page(self._forward.pop(), remember=False)

    def _update_buttons(self) -> None:
        self.back_button.setEnabled(bool(self._back))
        self.forward_button.setEnabled(bool(self._forward))

    def _link(self, url: QUrl) -> None:
        """A link in a page: another page here, a web address in the browser."""
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        slug = guide.slug_of_link(url.toString())
        if slug is not None:
            self.show_page(slug)

    def _contents_chosen(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        slug = item.data(0, SLUG_ROLE)
        if slug:
            self.show_page(str(slug))

    # ------------------------------------------------------------------ search
    def _search(self, text: str) -> None:
        query = text.strip()
        searching = bool(query)
        self.contents.setVisible(not searching)
        self.results.setVisible(searching)
        self.results.clear()
        self.no_hits.hide()
        if not searching:
            return
        hits = guide.search(query)
        for hit in hits:
            item = QListWidgetItem(f"{hit.title}\n    {hit.snippet}")
            item.setData(SLUG_ROLE, hit.slug)
            item.setData(TERMS_ROLE, list(hit.terms))
            item.setToolTip(hit.snippet)
            self.results.addItem(item)
        if not hits:
            self.no_hits.setText(f"No page mentions “{query}”. Try a shorter or another "
                                 "word, or clear the search to see the contents.")
            self.no_hits.show()

    def search_hits(self) -> list[str]:
        """The slugs the search list shows, in order."""
        return [str(self.results.item(i).data(SLUG_ROLE)) for i in range(self.results.count())]

    def _result_chosen(self, item: QListWidgetItem) -> None:
        terms = item.data(TERMS_ROLE) or []
        self.show_page(str(item.data(SLUG_ROLE)), find=[str(t) for t in terms])

    def _open_first_hit(self) -> None:
        if self.results.count():
            self._result_chosen(self.results.item(0))

    # ------------------------------------------------------------------ print
    def print_pdf(self, path: str | Path | None = None) -> Path | None:
        """Write the page shown to a PDF file (asked for when `path` is None); the file
        written, or None when cancelled."""
        if path is None:
            start = str(Path.home() / f"NICdesk guide - {guide.PAGES[self.current_slug].title}.pdf")
            name, _ = QFileDialog.getSaveFileName(self, "Print to PDF", start,
                                                  "PDF document (*.pdf)")
            if not name:
                return None
            path = name if name.lower().endswith(".pdf") else name + ".pdf"
        target = Path(path)
        writer = QPdfWriter(str(target))
        writer.setTitle(f"{guide.PAGES[self.current_slug].title} — NICdesk Guide")
        writer.setCreator("NICdesk")
        letter = QLocale().measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem
        writer.setPageLayout(QPageLayout(
            QPageSize(QPageSize.PageSizeId.Letter if letter else QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait, QMarginsF(18, 18, 18, 18),
            QPageLayout.Unit.Millimeter))
        document = self.browser.document().clone()
        document.setDefaultFont(self.browser.font())
        document.print_(writer)
        del writer  # the file is complete once the writer is gone
        self.last_pdf = target
        return target
