"""Small widgets every page uses the same way: page headings, and the read-only state of
records this workspace may not change (single-writer authority, `core.authority`): a lock
banner saying who owns the record, and inputs shown read-only instead of being editable
and then refused."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QColor, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSizePolicy,
    QTableWidget,
    QTextEdit,
    QToolButton,
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


def is_dark(palette: QPalette) -> bool:
    """Whether the palette paints light text on a dark background (a dark theme)."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def hint_colour(palette: QPalette, *, on_base: bool = False) -> QColor:
    """Quiet text (hints, notes) that still reads: the text colour two thirds of the way
    from the background, in light and dark palettes alike (`on_base`: inside a list,
    table or text view, whose background is the Base colour)."""
    roles = ((QPalette.ColorRole.Text, QPalette.ColorRole.Base) if on_base else
             (QPalette.ColorRole.WindowText, QPalette.ColorRole.Window))
    text, back = palette.color(roles[0]), palette.color(roles[1])
    mix = 0.68
    return QColor.fromRgbF(back.redF() + (text.redF() - back.redF()) * mix,
                           back.greenF() + (text.greenF() - back.greenF()) * mix,
                           back.blueF() + (text.blueF() - back.blueF()) * mix)


#: signal and problem colours (Okabe–Ito families): a dark shade for light backgrounds,
#: a light one for dark backgrounds
_TONES = {"improvement": ("#00734F", "#5CD6A9"), "concern": ("#8A4B00", "#F2B15C"),
          "special": ("#8E3B6E", "#E59CC8"), "unusual": ("#490092", "#C9A0F5"),
          "problem": ("#B3261E", "#FF8A80")}


def tone(name: str, palette: QPalette) -> QColor:
    """The colour of a signal ("improvement", "concern", "special") or of a refused edit
    ("problem") that reads on this palette's background."""
    dark, light = _TONES[name]
    return QColor(light if is_dark(palette) else dark)


def quiet(label: QLabel) -> QLabel:
    """A hint or note in quiet text from the palette (readable in dark themes too, and
    following a change of theme), instead of a fixed grey."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    palette = QPalette(label.palette())
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.PlaceholderText, hint_colour(palette))
    label.setPalette(palette)
    return label


def problem_label(label: QLabel) -> QLabel:
    """A line that says why an edit was refused, in a red that reads on the palette."""
    palette = QPalette(label.palette())
    palette.setColor(QPalette.ColorRole.WindowText, tone("problem", palette))
    label.setPalette(palette)
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


class FlowLayout(QLayout):
    """Items left to right, wrapping onto the next line when the width runs out (Qt's
    flow-layout example): a row of buttons that never hides some in an overflow menu."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 2) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line > 0:
                x, y, line = area.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


class ActionBar(QWidget):
    """A page's row of text buttons for its actions (as `QToolBar.addAction` and
    `addSeparator`), wrapping onto a second line in a narrow window instead of hiding
    actions behind an overflow arrow."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("actionBar")
        self.flow = FlowLayout(self)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._buttons: dict[QAction, QToolButton] = {}

    def addAction(self, action: QAction) -> None:  # type: ignore[override]  # noqa: N802
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.flow.addWidget(button)
        self._buttons[action] = button
        super().addAction(action)

    def addSeparator(self) -> None:  # noqa: N802 - as QToolBar's
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.VLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        line.setFixedWidth(9)
        self.flow.addWidget(line)

    def widgetForAction(self, action: QAction) -> QToolButton | None:  # noqa: N802
        """The button showing an action (as `QToolBar.widgetForAction`)."""
        return self._buttons.get(action)
