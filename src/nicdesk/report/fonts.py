"""Embedded fonts for every PDF: DejaVu Sans (Bitstream Vera licence, see
fonts/LICENSE-DejaVu.txt), shipped with the package so names such as "Şükrü",
"Nguyễn" or "Ngā" print the same on every machine — reportlab's built-in Helvetica
covers only Latin-1 and is not embedded."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD, ITALIC = "NICSans", "NICSans-Bold", "NICSans-Oblique"
_DIR = Path(__file__).with_name("fonts")


def register() -> None:
    """Register the fonts once (cheap to call again)."""
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in ((REGULAR, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf"),
                       (ITALIC, "DejaVuSans-Oblique.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(_DIR / file)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD)
    # drawings start each render with the graphics state's default font; left at
    # Helvetica it would put an unembedded font on every page that holds a chart
    from reportlab.graphics import shapes

    shapes.STATE_DEFAULTS["fontName"] = REGULAR


register()
