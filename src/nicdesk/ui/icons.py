"""The application icon and the toolbar icons, drawn from the SVGs in
`nicdesk/resources` (our own drawings, MIT; see resources/LICENSE-icons.txt).

Toolbar icons are line drawings in one ink colour; on a dark palette the ink is swapped
for a light one before rendering, so they stay visible in dark mode.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
INK, LIGHT_INK = "#1F4E79", "#BFE3F7"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def _render(svg: bytes, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return pixmap


def dark_palette() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 110


@functools.cache
def app_icon() -> QIcon:
    icon = QIcon()
    svg = (RESOURCES / "nicdesk.svg").read_bytes()
    for size in SIZES:
        icon.addPixmap(_render(svg, size))
    return icon


@functools.cache
def _action_icon(name: str, dark: bool) -> QIcon:
    path = RESOURCES / "actions" / f"{name}.svg"
    svg = path.read_text(encoding="utf-8")
    if dark:
        svg = svg.replace(INK, LIGHT_INK)
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(_render(svg.encode(), size))
    return icon


def action_icon(name: str) -> QIcon:
    return _action_icon(name, dark_palette())


def render_png(size: int, out: Path) -> Path:
    """The app icon as a PNG (tools/render-icons writes the hicolor sizes with it)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _render((RESOURCES / "nicdesk.svg").read_bytes(), size).save(str(out), "PNG")
    return out
