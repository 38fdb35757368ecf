"""Small widgets every page uses the same way: page headings, and the read-only state of
records this workspace may not change (single-writer authority, `core.authority`): a lock
banner saying who owns the record, and inputs shown read-only instead of being editable
and then refused."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTableWidget,
    QTextEdit,
    QWidget,
)

_EDIT_FLAGS = Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable


def page_title(text: str = "", scale: float = 1.3) -> QLabel:
    """The bold heading at the top of a page, scaled from the system font (so it follows
    the user's font size and display scaling)."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


class LockBanner(QFrame):
    """The line at the top of a page whose record belongs to someone else: a padlock, the
    owner, and that their changes arrive in their bundles.  Hidden while the record is
    writable.  (The padlock is drawn, not an emoji: not every system has an emoji font.)"""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("lockBanner")
        self.setStyleSheet("QFrame#lockBanner { background: #E6EEF6; border: 1px solid #7F9DBB;"
                           " border-left: 4px solid #0072B2; border-radius: 3px; }"
                           " QFrame#lockBanner QLabel { color: #14283C; background: transparent;"
                           " border: none; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.setSpacing(8)
        self.icon = QLabel()
        self.icon.setAccessibleName("Locked")
        self.label = QLabel()
        self.label.setObjectName("lockText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)
        self.setAccessibleName("Read-only record")
        self.reason: str | None = None
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def show_block(self, reason: str | None, extra: str = "") -> None:
        """Show why the record is read-only here (the sentence of `Operations.record_block`),
        or hide the banner when `reason` is None."""
        self.reason = reason or None
        if reason:
            self.label.setText(reason + (f" {extra}" if extra else ""))
            self.setAccessibleDescription(self.label.text())
            size = self.label.fontMetrics().height()
            self.icon.setPixmap(padlock(size, self.devicePixelRatioF()))
            self.icon.setFixedSize(size, size)
            self.show()
        else:
            self.label.clear()
            self.hide()


def padlock(size: int, ratio: float = 1.0) -> QPixmap:
    """A padlock in the data blue (Okabe–Ito), `size` pixels square."""
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = QColor("#0072B2")
    pen = QPen(ink, max(1.5, size / 8))
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    w = size * 0.46  # the shackle
    painter.drawRoundedRect(QRectF((size - w) / 2, size * 0.08, w, size * 0.62), w / 2, w / 2)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(ink)
    body = QRectF(size * 0.16, size * 0.42, size * 0.68, size * 0.52)
    painter.drawRoundedRect(body, size * 0.08, size * 0.08)
    painter.setBrush(QColor("white"))
    r = size * 0.07
    painter.drawEllipse(QRectF(size / 2 - r, body.top() + body.height() * 0.32, 2 * r, 2 * r))
    painter.end()
    return pixmap


def set_read_only(widget: QWidget, why: str | None) -> None:
    """Show one input read-only (`why` is the reason, None makes it editable again).
    Texts stay selectable and copyable; choices, buttons and checks are disabled; the
    reason becomes the tooltip."""
    locked = bool(why)
    if widget.property("editableTip") is None:
        widget.setProperty("editableTip", widget.toolTip())
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit | QAbstractSpinBox):
        if widget.isReadOnly() != locked:
            widget.setReadOnly(locked)
            _grey_base(widget, locked)
        if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
            # an example in grey reads like another site's data on a locked record
            if widget.property("editablePlaceholder") is None:
                widget.setProperty("editablePlaceholder", widget.placeholderText())
            widget.setPlaceholderText("" if locked
                                      else widget.property("editablePlaceholder") or "")
        if isinstance(widget, QAbstractSpinBox):
            widget.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons if locked
                                    else QAbstractSpinBox.ButtonSymbols.UpDownArrows)
    elif isinstance(widget, QTableWidget | QListWidget):
        lock_view(widget, locked)
    else:
        widget.setEnabled(not locked)
    widget.setToolTip(why or widget.property("editableTip"))  # why is set exactly when locked


def lock_view(view: QTableWidget | QListWidget, locked: bool) -> None:
    """A table or list whose rows may be read, selected and copied but not changed: no
    editors, no ticking, cell widgets (choice boxes) disabled.  Tables rebuild their items
    on every load, so unlocking needs only the edit triggers back."""
    if view.property("editTriggers") is None:
        view.setProperty("editTriggers", view.editTriggers().value)
    if bool(view.property("locked")) != locked:
        view.setProperty("locked", locked)
        _grey_base(view, locked)
    if locked:
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    else:
        view.setEditTriggers(QAbstractItemView.EditTrigger(view.property("editTriggers")))
    if not locked:
        return
    if isinstance(view, QListWidget):
        for i in range(view.count()):
            item = view.item(i)
            item.setFlags(item.flags() & ~_EDIT_FLAGS)
        return
    for row in range(view.rowCount()):
        for col in range(view.columnCount()):
            cell_item = view.item(row, col)
            if cell_item is not None:
                cell_item.setFlags(cell_item.flags() & ~_EDIT_FLAGS)
            cell = view.cellWidget(row, col)
            if cell is not None:
                cell.setEnabled(False)


def _grey_base(widget: QWidget, locked: bool) -> None:
    """A read-only text box takes the window colour instead of the input colour (from the
    system palette, so dark mode stays dark): it no longer looks like a place to type."""
    if locked:
        palette = QPalette(widget.palette())
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Base,
                             palette.color(group, QPalette.ColorRole.Window))
        widget.setPalette(palette)
    else:
        widget.setPalette(QPalette())
