"""The application and toolbar icons load from files named in code (not globbed at
start-up), so a missing or misnamed PNG must fail here rather than show a blank icon."""

from __future__ import annotations

from PySide6.QtGui import QPalette

from nicdesk.ui.common import icons


def test_every_app_icon_size_has_its_png(qtbot) -> None:
    icon = icons.app_icon()
    for size in icons.SIZES:
        png = icons.RESOURCES / "hicolor" / f"{size}x{size}" / "apps" / "nicdesk.png"
        assert png.is_file(), png
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(icons.SIZES)


def test_toolbar_icons_load_on_a_light_palette(qtbot) -> None:
    assert not icons.dark_palette()
    icon = icons.action_icon("open")
    assert sorted(s.width() for s in icon.availableSizes()) == list(icons.ACTION_SIZES)
    assert not icon.pixmap(24, 24).toImage().isNull()


def test_a_dark_palette_is_seen_and_gets_light_ink(qtbot) -> None:
    from PySide6.QtGui import QColor, QGuiApplication

    app = QGuiApplication.instance()
    assert isinstance(app, QGuiApplication)
    old = app.palette()
    dark = QPalette(old)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    app.setPalette(dark)
    try:
        assert icons.dark_palette()
        image = icons.action_icon("open").pixmap(48, 48).toImage()
        inked = [image.pixelColor(x, y) for x in range(48) for y in range(48)
                 if image.pixelColor(x, y).alpha() == 255]
        assert inked and max(c.lightness() for c in inked) > 150  # the light ink
    finally:
        app.setPalette(old)
