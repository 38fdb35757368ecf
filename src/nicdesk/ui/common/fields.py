"""Form fields that store their value as soon as a person finishes an edit.

Each field wraps one widget and knows how to show a stored value and read the typed one.
A field calls `on_commit(name, value)` when an edit is finished (focus leaves, Enter, a
choice is picked) and, for long texts, also while a person types: after a short pause, and at
least once a second however fast the typing goes, so that a laptop whose battery dies (or a
program killed outright) loses at most the last second.  `save_typing()` stores every text
still waiting for its timer; the window calls it before closing a workspace.  A field of a record this workspace may
not change is shown read-only (`set_locked`) and commits nothing.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ...core.formatting import format_value
from .widgets import set_read_only

TYPING_PAUSE_MS = 800  # a pause in typing saves
TYPING_MAX_WAIT_MS = 1000  # and typing that never pauses is saved at least this often

_typing: weakref.WeakSet[TextField] = weakref.WeakSet()  # texts typed but not yet saved


def save_typing() -> None:
    """Store every text typed but still waiting for its timer (before a workspace closes,
    when the window closes)."""
    for f in list(_typing):
        f.commit()


class PlainText(QPlainTextEdit):
    """A multi-line text that reports when focus leaves it."""

    focus_left = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.focus_left.emit()


class Field:
    """One labelled input bound to one stored field."""

    def __init__(self, name: str, label: str, widget: QWidget, *, tip: str = "") -> None:
        self.name = name
        self.label = label
        self.widget = widget
        self.on_commit: Callable[[str, Any], None] = lambda _n, _v: None
        self.locked: str | None = None  # why this field may not be changed here
        widget.setObjectName(f"field_{name}")
        widget.setAccessibleName(label)
        if tip:
            widget.setToolTip(tip)
            widget.setStatusTip(tip)

    def show(self, value: Any) -> None:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def commit(self) -> None:
        if self.locked:
            return
        self.on_commit(self.name, self.value())

    def set_locked(self, why: str | None) -> None:
        """Read-only with `why` as the reason (None: editable again)."""
        self.locked = why or None
        set_read_only(self.widget, self.locked)


class LineField(Field):
    widget: QLineEdit

    def __init__(self, name: str, label: str, placeholder: str = "", **kw: str) -> None:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(False)
        super().__init__(name, label, edit, **kw)
        edit.editingFinished.connect(self.commit)

    def show(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if self.widget.text() != text:
            self.widget.setText(text)

    def value(self) -> Any:
        return self.widget.text().strip()


class NumberField(LineField):
    """A number typed as text so it can be left empty; '%' values for proportions."""

    def __init__(self, name: str, label: str, placeholder: str = "", *, percent: bool = False,
                 **kw: str) -> None:
        super().__init__(name, label, placeholder, **kw)
        self.percent = percent

    def show(self, value: Any) -> None:
        text = format_value(value, self.percent, percent_spec="g", missing="")
        if self.widget.text() != text:
            self.widget.setText(text)

    def value(self) -> Any:
        text = self.widget.text().strip().rstrip("%").strip().replace(",", ".")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return self.widget.text().strip()  # the operation reports it in plain words
        return number / 100 if self.percent else number


class DateField(LineField):
    def __init__(self, name: str, label: str, **kw: str) -> None:
        super().__init__(name, label, "2027-06-30", **kw)

    def value(self) -> Any:
        text = self.widget.text().strip()
        return text or None

    def show(self, value: Any) -> None:
        super().show(value.isoformat() if isinstance(value, dt.date) else value)


class TextField(Field):
    widget: PlainText

    def __init__(self, name: str, label: str, placeholder: str = "", *, lines: int = 3,
                 **kw: str) -> None:
        edit = PlainText()
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
        super().__init__(name, label, edit, **kw)
        self._timer = QTimer(edit)  # restarted by every keystroke: saves after a pause
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.commit)
        self._max_wait = QTimer(edit)  # started by the first unsaved keystroke only
        self._max_wait.setSingleShot(True)
        self._max_wait.setInterval(TYPING_MAX_WAIT_MS)
        self._max_wait.timeout.connect(self.commit)
        edit.textChanged.connect(self._typed)
        edit.focus_left.connect(self.commit)
        self._showing = False

    def _typed(self) -> None:
        if self._showing:
            return
        self._timer.start()
        if not self._max_wait.isActive():
            self._max_wait.start()
        _typing.add(self)

    def show(self, value: Any) -> None:
        text = value or ""
        if self.widget.toPlainText() != text and not self.widget.hasFocus():
            self._showing = True
            self.widget.setPlainText(text)
            self._showing = False

    def value(self) -> str:
        return self.widget.toPlainText().rstrip()

    def commit(self) -> None:
        self._timer.stop()
        self._max_wait.stop()
        _typing.discard(self)
        super().commit()


class ChoiceField(Field):
    """A fixed list of choices, or (label, value) pairs such as sites or measures."""

    widget: QComboBox

    def __init__(self, name: str, label: str, choices: Sequence[tuple[str, object]],
                 **kw: str) -> None:
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMinimumContentsLength(14)
        super().__init__(name, label, combo, **kw)
        self.set_choices(choices)
        combo.activated.connect(lambda _i: self.commit())

    def set_choices(self, choices: Sequence[tuple[str, object]]) -> None:
        combo = self.widget
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for text, value in choices:
            combo.addItem(text, value)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def show(self, value: Any) -> None:
        index = self.widget.findData(value)
        if index >= 0:
            self.widget.setCurrentIndex(index)

    def value(self) -> Any:
        return self.widget.currentData()


class IntField(Field):
    widget: QSpinBox

    def __init__(self, name: str, label: str, minimum: int = 0, maximum: int = 10_000,
                 suffix: str = "", **kw: str) -> None:
        spin = QSpinBox()
        spin.setRange(minimum, maximum)
        spin.setSuffix(suffix)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        super().__init__(name, label, spin, **kw)
        spin.editingFinished.connect(self.commit)

    def show(self, value: Any) -> None:
        if value is not None and self.widget.value() != value:
            self.widget.setValue(int(value))

    def value(self) -> int:
        return self.widget.value()


class BoolField(Field):
    widget: QCheckBox

    def __init__(self, name: str, label: str, text: str, **kw: str) -> None:
        box = QCheckBox(text)
        super().__init__(name, label, box, **kw)
        box.clicked.connect(lambda _checked: self.commit())

    def show(self, value: Any) -> None:
        self.widget.setChecked(bool(value))

    def value(self) -> bool:
        return self.widget.isChecked()


class TagsField(LineField):
    """Context tags as 'key: value; key: value' (grade band, enrolment, locale)."""

    def show(self, value: Any) -> None:
        text = "; ".join(f"{k}: {v}" for k, v in (value or {}).items())
        if self.widget.text() != text:
            self.widget.setText(text)

    def value(self) -> Any:
        tags = {}
        for part in self.widget.text().split(";"):
            if ":" in part:
                key, _, val = part.partition(":")
                if key.strip():
                    tags[key.strip().replace(" ", "_")] = val.strip()
        return tags


def plain_choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v[:1].upper() + v[1:] if v else "(none)", v) for v in values]
