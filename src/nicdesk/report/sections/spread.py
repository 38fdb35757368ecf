"""Spread of change ideas on paper (issue #22 item 4): for each change idea some site has
tested, the sentence ("adopted by 3 of 5 schools by February 2026"), the site × time
adoption chart, the count of sites at each status month by month, and a table of where
each site stands, since when and on whose word (its PDSA cycles or its own record).

Used by the meeting packet ("spread" section) and open to the year-in-review report
(`spread_flowables`).  Vector drawings from `store.views.spread.NetworkSpread`, the view
model the Network view's Spread tab draws; they read in black and white, as every bar
carries its status in words (or its initial where the bar is short) and the key names
the initials.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Spacer

from ...core.spread import ADOPTION_COLOURS, ADOPTION_ORDER, Adoption, month_starts
from ...store.views.spread import IdeaSpread, NetworkSpread
from ..charts import GREY, INK, clip_text
from ..fonts import BOLD, REGULAR
from ..layout import CELL, CELL_HEAD, SMALL, Heading, grid_table, label, nothing, para
from .base import Context

ROW = 14.0  # points per site row of the adoption chart
NAMES = 0.28  # the share of the width the site names take
TABLE_WITH_CHARTS = 15  # sites up to which an idea's table is kept on its charts' page




def _ticks(months: list[dt.date]) -> list[dt.date]:
    """The months labelled: all of them for a year or less, else each quarter."""
    if len(months) <= 13:
        return months
    return [m for i, m in enumerate(months) if not i or m.month in (1, 4, 7, 10)]


def adoption_drawing(spread: NetworkSpread, idea: IdeaSpread, width: float) -> Drawing:
    """Rows = sites, coloured bars = each site's status over the window, month ticks on
    top, a dashed line at the window's end."""
    fs = 7.0
    top_pad, bottom_pad = 16.0, 4.0
    height = top_pad + max(len(idea.rows), 1) * ROW + bottom_pad
    d = Drawing(width, height)
    left, right = width * NAMES, width - 6
    span = (spread.end - spread.start).days + 1

    def x(day: dt.date) -> float:
        return left + (right - left) * (day - spread.start).days / span

    months = month_starts(spread.start, spread.end)
    labelled = set(_ticks(months))
    for i, month in enumerate(months):
        d.add(Line(x(month), bottom_pad, x(month), height - top_pad + 3, strokeColor=GREY,
                   strokeWidth=0.2))
        if month in labelled:
            text = f"{month:%b %Y}" if not i or month.month == 1 else f"{month:%b}"
            d.add(String(x(month) + 1.5, height - top_pad + 5, text, fontName=REGULAR,
                         fontSize=fs - 0.5, fillColor=INK))
    for r, row in enumerate(idea.rows):
        y = height - top_pad - (r + 1) * ROW
        d.add(String(2, y + ROW / 2 - 2.5, clip_text(row.site_name, left - 2, fs), fontName=REGULAR,
                     fontSize=fs, fillColor=INK))
        if not row.segments:
            d.add(String(left + 3, y + ROW / 2 - 2.5, "not tested here" if row.status is None
                         else f"{row.status} (no dated cycle)", fontName=REGULAR,
                         fontSize=fs - 0.5, fillColor=GREY))
            continue
        for seg in row.segments:
            x0, x1 = x(seg.start), x(seg.end + dt.timedelta(days=1))
            bar = max(x1 - x0, 1.0)
            d.add(Rect(x0, y + 2, bar, ROW - 4,
                       fillColor=colors.HexColor(ADOPTION_COLOURS[seg.status]),
                       strokeColor=INK, strokeWidth=0.25))
            words = seg.status.value
            if stringWidth(words, REGULAR, fs - 0.5) + 4 > bar:
                words = words[0].upper()
            if stringWidth(words, REGULAR, fs - 0.5) + 3 <= bar:
                d.add(String(x0 + 2, y + ROW / 2 - 2.3, words, fontName=REGULAR,
                             fontSize=fs - 0.5, fillColor=INK))
    end = x(spread.end + dt.timedelta(days=1))
    d.add(Line(end, bottom_pad, end, height - top_pad + 3, strokeColor=INK, strokeWidth=0.6,
               strokeDashArray=[2, 2]))
    return d


def count_drawing(idea: IdeaSpread, width: float, height: float = 85) -> Drawing:
    """The sites at each status on the last day of each month, stacked (adopted at the
    bottom, its number written on it), on an axis from 0 to the sites compared."""
    d = Drawing(width, height)
    counts = idea.counts
    total = max(counts[-1].sites if counts else 1, 1)
    left, right, bottom, top = width * NAMES, width - 6, 14.0, height - 8
    fs = 7.0
    d.add(String(2, top - 8, "sites at each status", fontName=REGULAR, fontSize=fs,
                 fillColor=INK))
    d.add(String(2, top - 17, f"(of {total})", fontName=REGULAR, fontSize=fs,
                 fillColor=INK))

    def y(n: float) -> float:
        return bottom + (top - bottom) * n / total

    every = 1 if total <= 6 else 2 if total <= 12 else max(total // 5, 1)
    for n in sorted({*range(0, total, every), total}):
        d.add(Line(left, y(n), right, y(n), strokeColor=GREY, strokeWidth=0.2))
        d.add(String(left - 3, y(n) - 2.3, str(n), fontName=REGULAR, fontSize=fs - 0.5,
                     textAnchor="end", fillColor=INK))
    if not counts:
        return d
    step = (right - left) / len(counts)
    bar = max(min(step * 0.7, 24), 1.5)
    labelled = set(_ticks([c.day.replace(day=1) for c in counts]))
    order = (Adoption.ADOPTED, Adoption.ADAPTING, Adoption.TESTING, Adoption.ABANDONED)
    for i, count in enumerate(counts):
        x0 = left + step * i + (step - bar) / 2
        base = 0
        for status in order:
            n = count.of(status)
            if n:
                d.add(Rect(x0, y(base), bar, y(base + n) - y(base),
                           fillColor=colors.HexColor(ADOPTION_COLOURS[status]),
                           strokeColor=INK, strokeWidth=0.25))
                base += n
        adopted = count.of(Adoption.ADOPTED)
        if adopted:
            d.add(String(x0 + bar / 2, y(adopted) - fs - 1, str(adopted), fontName=BOLD,
                         fontSize=fs, textAnchor="middle", fillColor=INK))
        month = count.day.replace(day=1)
        if month in labelled:
            text = f"{month:%b %Y}" if not i or month.month == 1 else f"{month:%b}"
            d.add(String(x0, bottom - fs - 2, text, fontName=REGULAR, fontSize=fs - 0.5,
                         fillColor=INK))
    return d


def legend_drawing(width: float) -> Drawing:
    """The key: a swatch, the initial and the word for each status."""
    d = Drawing(width, 12)
    x = 2.0
    for status in ADOPTION_ORDER:
        d.add(Rect(x, 2, 16, 8, fillColor=colors.HexColor(ADOPTION_COLOURS[status]),
                   strokeColor=INK, strokeWidth=0.25))
        d.add(String(x + 3, 3.5, status.value[0].upper(), fontName=REGULAR, fontSize=6.5))
        d.add(String(x + 20, 3, status.value, fontName=REGULAR, fontSize=7.5))
        x += 24 + stringWidth(status.value, REGULAR, 7.5) + 12
    d.add(String(x, 3, "dashed line: the report's date", fontName=REGULAR, fontSize=7.5,
                 fillColor=GREY))
    return d


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _table(idea: IdeaSpread, width: float) -> Any:
    rows = [[para(h, CELL_HEAD) for h in ("Site", "Status", "Since", "On whose word",
                                         "Note or cycle")]]
    for r in idea.rows:
        rows.append([para(label(r.site_name), CELL),
                     para(r.status.value if r.status else "not tested", CELL),
                     para(f"{r.since:%d %b %Y}" if r.since else "", CELL),
                     para("" if r.status is None else
                          "the site's own record" if r.explicit else "its PDSA cycles", CELL),
                     para(label(r.note, 240), CELL)])
    w = width
    return grid_table(rows, [w * 0.25, w * 0.11, w * 0.13, w * 0.16, w * 0.35])


def spread_flowables(spread: NetworkSpread | None, width: float, key: Callable[[], str],
                     tick: Callable[[int, int, str], None] | None = None) -> list[Any]:
    """The spread section's flowables (heading excluded): one sub-heading per idea some
    site has a status for, with its sentence, charts and table; the ideas nobody has
    tested are named at the end."""
    if spread is None or not spread.sites:
        return [nothing("no sites to compare change ideas across")]
    tested = [i for i in spread.ideas if i.tested]
    untested = [i for i in spread.ideas if not i.tested]
    out: list[Any] = [
        para(f"Where each change idea stands at each of the {len(spread.sites)} "
             f"{spread.noun}, from {_day(spread.start)} to {_day(spread.end)}. "
             "A status comes from the site's PDSA decisions (adopt → adopted, adapt → "
             "adapting, abandon → abandoned; a cycle under way → testing) unless the site "
             "set its own, which holds from its date until a later decision.", SMALL),
        legend_drawing(width), Spacer(1, 4)]
    if not tested:
        out.append(nothing("no change idea has been tested by any site yet"))
    for i, idea in enumerate(tested):
        if tick is not None:
            tick(i, len(tested), "Drawing the spread of change ideas")
        together = [Heading(label(idea.title), 1, key()),
                    para(f"{label(idea.title)}: {idea.sentence}.", SMALL),
                    adoption_drawing(spread, idea, width), Spacer(1, 3),
                    count_drawing(idea, width), Spacer(1, 4)]
        if len(idea.rows) <= TABLE_WITH_CHARTS:  # a short table stays with its charts
            out += [KeepTogether([*together, _table(idea, width)]), Spacer(1, 8)]
        else:
            out += [KeepTogether(together), _table(idea, width), Spacer(1, 8)]
    if untested:
        out.append(para("Not tested at any site yet: "
                        + "; ".join(label(i.title) for i in untested) + ".", SMALL))
    return out


def spread(ctx: Context) -> list[Any]:
    """The meeting packet's "Spread of change ideas" section."""
    return spread_flowables(ctx.data.spread, ctx.width, ctx.key, ctx.tick)
