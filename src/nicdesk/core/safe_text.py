"""Output hygiene: what people typed (site names, measure names, change idea titles,
meeting titles, notes…) is shown by NICdesk, never obeyed by whatever shows it.

Five small functions, one per kind of output:

`csv_cell`
    For every *text* cell NICdesk writes to a CSV file (OWASP "CSV injection"): a cell
    that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    single quote, so Excel, LibreOffice or Google Sheets show it as text instead of
    running it as a formula (``=HYPERLINK(…)``, ``=cmd|…``).  Numbers stay numbers: the
    writers pass only the cells that came from people (names, titles, decisions, flags)
    through it, and write the values NICdesk computed (denominators, proportions, limits,
    counts, dates) as they are, so a computed ``-0.5`` is still the number -0.5.  Given a
    non-string (int, float, None) it returns it unchanged.  A name that merely *looks*
    like a number (a site called ``-5``) is text from a person and is quoted too.

`terminal_text`
    For every name the command line prints: control characters (C0, DEL, C1 — so ESC
    cannot start a sequence that clears, recolours or retitles the terminal), bidi
    embeddings, overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E,
    U+200F, U+061C — so U+202E cannot reverse what follows on the line), line and
    paragraph separators and lone surrogates come out as visible escapes (``\\x1b``,
    ``\\u202e``; ``\\n``, ``\\t`` and ``\\r`` as Python writes them).  Everything
    else, Unicode letters of any script included, is kept.

`isolate`
    For the desktop app, where a name sits inside other text (a page title, a combo box
    entry "name (kind)", a tooltip): the name is wrapped in FIRST STRONG ISOLATE …
    POP DIRECTIONAL ISOLATE, so a right-to-left name, or one carrying its own overrides,
    cannot reorder the words around it.  Only names that can affect the order get the
    isolates (those with right-to-left letters, Arabic numbers or explicit bidi
    formatting); a plain left-to-right name is returned as typed, so search, copy and
    screen readers see it unchanged.  Stray PDIs inside the name are dropped and its own
    open isolates closed, so it cannot end ours early or leave it open.

`shorten`
    For headings, bookmarks, table cells, chart titles and window or combo box text: a
    name longer than the limit (120 characters by default) is cut, never inside a
    combining sequence, and ends with "…".  A 5,000-character name (an imported or
    legacy file can hold one) then cannot make a packet heading taller than a page.

`html_text`
    For a place that guesses whether it was given HTML (Qt tooltips): the text escaped,
    line breaks kept, so a site named ``<img src=…>`` or ``<h1>`` shows as typed.
"""

from __future__ import annotations

import functools
import unicodedata

CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]  # LRE RLE PDF LRO RLO
    + [chr(c) for c in range(0x2066, 0x206A)]  # LRI RLI FSI PDI
    + ["\u200e", "\u200f", "\u061c"])  # LRM RLM ALM

FSI, PDI = "\u2068", "\u2069"
_ISOLATE_OPENERS = frozenset("\u2066\u2067\u2068")
# bidi classes that can move the text around a name: right-to-left letters, Arabic
# numbers and the explicit formatting characters
_REORDERING = frozenset({"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI",
                         "FSI", "PDI"})
ELLIPSIS = "…"


def csv_cell(value: object) -> object:
    """A text cell a spreadsheet will not run as a formula (see the module docstring);
    non-strings are returned unchanged."""
    if isinstance(value, str) and value.startswith(CSV_TRIGGERS):
        return "'" + value
    return value


_SHORT_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}


def _escape(c: int) -> str:
    if c in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[c]
    return f"\\x{c:02x}" if c <= 0xFF else f"\\u{c:04x}"


def _terminal_table(keep_newlines: bool) -> dict[int, str]:
    codes = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029,
             *(ord(c) for c in BIDI_CONTROLS), *range(0xD800, 0xE000)]
    table = {c: _escape(c) for c in codes}
    if keep_newlines:
        del table[ord("\n")]
    return table


# built on the first print, not at import: the GUI imports this module before its first
# paint and never prints (2,000-odd entries, ~1 ms)
_terminal_tables = functools.cache(_terminal_table)


def terminal_text(text: object, *, newlines: bool = False) -> str:
    """`text` safe to print to a terminal: control, bidi-control and separator characters
    as visible escapes.  With `newlines=True` a line feed is kept (for text NICdesk has
    already wrapped into lines); otherwise it shows as ``\\n``, one name one line."""
    return str(text).translate(_terminal_tables(newlines))


def _reorders(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in _REORDERING for ch in text)


def isolate(text: str) -> str:
    """`text` wrapped in FSI … PDI when it could reorder the text around it (see the
    module docstring); plain left-to-right text is returned unchanged."""
    if not text or not _reorders(text):
        return text
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch in _ISOLATE_OPENERS:
            depth += 1
        elif ch == PDI:
            if depth == 0:
                continue  # would close our isolate, letting the rest out
            depth -= 1
        out.append(ch)
    return FSI + "".join(out) + PDI * depth + PDI


def shorten(text: str, limit: int = 120) -> str:
    """`text` cut to at most `limit` characters, "…" included, when it is longer."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    cut = limit - 1
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1  # keep a letter and its accents together
    return text[:cut].rstrip() + ELLIPSIS


def html_text(text: str) -> str:
    """Plain `text` as HTML that shows exactly that text, line breaks included."""
    import html  # here, not at the top: html.entities costs ~1.4 ms before the first paint

    return ('<p style="white-space:pre-wrap">' + html.escape(text, quote=False)
            + "</p>")


def name_key(name: str) -> str:
    """What two names are compared by when people would take them for the same (site
    names must stay distinct in a network): compatibility forms, case and spacing aside."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
