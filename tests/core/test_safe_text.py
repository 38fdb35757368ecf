"""core.safe_text: CSV cells a spreadsheet will not run, terminal text that cannot steer
the terminal, bidi isolation that cannot leak, and shortening that keeps letters whole."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.safe_text import (
    BIDI_CONTROLS,
    CSV_TRIGGERS,
    ELLIPSIS,
    FSI,
    PDI,
    csv_cell,
    html_text,
    isolate,
    shorten,
    terminal_text,
)  # fmt: skip

NASTY = ["\x1b", "\x07", "\x00", "\r", "\n", "\t", "\x7f", "\x85", "\x9b", "\u2028",
         "\u2029", "\u061c", "\u200e", "\u200f", *sorted(BIDI_CONTROLS), "=", "+", "-", "@",
         "\ud800", "\udfff", "é", "\u0301", "ש", "م", "漢", "\u200d", "\\"]
# any text, with the characters that matter drawn far more often than by chance
texts = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(NASTY)), max_size=60)


def _unsafe_for_terminal(ch: str) -> bool:
    return (unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")
            or ch in BIDI_CONTROLS)


# ------------------------------------------------------------------ terminal
@given(texts)
def test_terminal_text_never_lets_a_control_or_bidi_character_through(text: str) -> None:
    out = terminal_text(text)
    assert not any(_unsafe_for_terminal(ch) for ch in out)
    out = terminal_text(text, newlines=True)
    assert not any(_unsafe_for_terminal(ch) for ch in out if ch != "\n")


@given(texts)
def test_terminal_text_keeps_everything_else(text: str) -> None:
    safe = "".join(ch for ch in text if not _unsafe_for_terminal(ch))
    assert terminal_text(safe) == safe
    assert terminal_text(text).count("\n") == 0
    assert terminal_text(text, newlines=True).count("\n") == text.count("\n")


def test_terminal_text_shows_escapes_visibly() -> None:
    assert terminal_text("\x1b[2J") == "\\x1b[2J"
    assert terminal_text("\x1b]0;title\x07") == "\\x1b]0;title\\x07"
    assert terminal_text("abc\u202edef") == "abc\\u202edef"
    assert terminal_text("\x9b31m") == "\\x9b31m"  # C1 CSI
    assert terminal_text("a\nb") == "a\\nb" and terminal_text("a\nb", newlines=True) == "a\nb"
    for name in ("Nguyễn Trãi High", "مدرسة النور", "Şükrü", "Zoe\u0308", "👩‍👩‍👧 family",
                 "漢字", "back\\slash"):
        assert terminal_text(name) == name
    assert terminal_text(3) == "3"


# ------------------------------------------------------------------ CSV
@given(texts)
def test_csv_cell_quotes_exactly_the_cells_a_spreadsheet_would_run(text: str) -> None:
    out = csv_cell(text)
    if text[:1] in CSV_TRIGGERS and text:
        assert out == "'" + text
    else:
        assert out == text


def test_csv_cell_examples_and_numbers() -> None:
    assert csv_cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("+1") == "'+1" and csv_cell("-2+3") == "'-2+3"
    assert csv_cell("\t=1") == "'\t=1" and csv_cell("\r=1") == "'\r=1"
    assert csv_cell("Lincoln = best") == "Lincoln = best"
    assert csv_cell("") == ""
    # numbers NICdesk computed stay numbers (the writers pass them as they are)
    assert csv_cell(-0.5) == -0.5 and csv_cell(-3) == -3 and csv_cell(None) is None


# ------------------------------------------------------------------ bidi isolation
def _our_isolate_holds(text: str) -> bool:
    """The opening FSI is matched by the final PDI and by nothing earlier."""
    if not (text.startswith(FSI) and text.endswith(PDI)):
        return False
    depth = 0
    for i, ch in enumerate(text):
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == PDI:
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


@given(texts)
def test_isolate_cannot_be_ended_early_or_left_open(text: str) -> None:
    out = isolate(text)
    if out == text:  # nothing in it can reorder its surroundings
        assert not any(unicodedata.bidirectional(ch) in ("R", "AL", "AN") or
                       ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                       for ch in text)
    else:
        assert _our_isolate_holds(out)
        inner = out[1:-1]
        assert inner.replace(PDI, "") == text.replace(PDI, "")


def test_isolate_examples() -> None:
    assert isolate("Lincoln High School") == "Lincoln High School"
    assert isolate("") == ""
    assert isolate("مدرسة النور") == FSI + "مدرسة النور" + PDI
    assert isolate("evil\u202e") == FSI + "evil\u202e" + PDI  # the PDI closes the override
    assert isolate("x\u2069\u202ey") == FSI + "x\u202ey" + PDI  # stray PDI dropped
    assert isolate("x\u2067y") == FSI + "x\u2067y" + PDI + PDI  # its own isolate closed


# ------------------------------------------------------------------ shorten, HTML
@given(st.text(max_size=400), st.integers(min_value=1, max_value=200))
def test_shorten_respects_the_limit(text: str, limit: int) -> None:
    out = shorten(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out.endswith(ELLIPSIS)
        assert text.startswith(out[:-1])


def test_shorten_keeps_accents_with_their_letters() -> None:
    assert shorten("X" * 5000) == "X" * 119 + "…"
    out = shorten("e\u0301" * 100, 10)
    assert out == "e\u0301" * 4 + "…"
    assert shorten("short", 120) == "short"


def test_html_text_is_shown_as_typed() -> None:
    assert html_text("<img src=x> & <b>") == ('<p style="white-space:pre-wrap">'
                                             "&lt;img src=x&gt; &amp; &lt;b&gt;</p>")
    assert "\n" in html_text("two\nlines")
