"""The application icon and the toolbar icons, drawn from the SVGs in
`nicdesk/resources` (our own drawings, MIT; see resources/LICENSE-icons.txt).

Toolbar icons are line drawings in one ink colour; on a dark palette the ink is swapped
for a light one before rendering, so they stay visible in dark mode.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QIcon

# Start-up time: everything here runs before the window's first paint, so the SVG engine,
# QPainter and QPalette (each class's enums are built on first use, ~1 ms apiece) load
# only when an SVG is rendered (dark palette, tools/render-icons), never for the light
# palette's pre-rendered PNGs.
if TYPE_CHECKING:
    from PySide6.QtGui import QPixmap

RESOURCES = Path(__file__).resolve().parents[2] / "resources"  # nicdesk/resources
INK, LIGHT_INK = "#1F4E79", "#BFE3F7"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ACTION_SIZES = (24, 48)


def _render(svg: bytes, size: int) -> QPixmap:
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

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
    if not isinstance(app, QGuiApplication):  # no application yet (or a console one)
        return False
    # the Window role's brush, read without QPalette's enums (built on first use)
    return app.palette().window().color().lightness() < 110


@functools.cache
def app_icon() -> QIcon:
    """The rendered PNG sizes, loaded lazily by Qt (nothing is drawn at start-up).  The
    sizes are named, not globbed: listing the folders cost a millisecond before the first
    paint (tests/ui/test_icons.py checks every size has its PNG).."""
    icon = QIcon()
    for size in SIZES:
        png = RESOURCES / "hicolor" / f"{size}x{size}" / "apps" / "nicdesk.png"
        icon.addFile(str(png), QSize(size, size))  # sized: Qt need not open it to ask
    return icon


@functools.cache
def _action_icon(name: str, dark: bool) -> QIcon:
    path = RESOURCES / "actions" / f"{name}.svg"
    svg = path.read_text(encoding="utf-8")
    if dark:
        svg = svg.replace(INK, LIGHT_INK)
    icon = QIcon()
    for size in ACTION_SIZES:  # toolbar and menus; Qt scales between these
        icon.addPixmap(_render(svg.encode(), size))
    return icon


def action_icon(name: str) -> QIcon:
    """Light palette: the PNGs rendered from the SVG (loaded lazily, no SVG engine at
    start-up); dark palette: the SVG re-inked and rendered."""
    if not dark_palette():
        icon = QIcon()
        for size in ACTION_SIZES:  # pre-rendered by tools/render-icons: cheap to load
            icon.addFile(str(RESOURCES / "actions" / f"{name}-{size}.png"), QSize(size, size))
        return icon
    return _action_icon(name, True)


def render_png(size: int, out: Path, svg: Path | None = None) -> Path:
    """An SVG (the app icon by default) as a PNG; tools/render-icons writes them all."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _render((svg or RESOURCES / "nicdesk.svg").read_bytes(), size).save(str(out), "PNG")
    return out
