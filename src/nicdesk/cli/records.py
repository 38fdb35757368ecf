"""Record commands: `diagram` (list driver diagrams and fishbones, or export one as PDF,
SVG or PNG) and `pdsa` (list PDSA cycles, or print one as a one-page PDF).
`find_diagram` is shared with `nicdesk.main`, which draws PNGs with Qt."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ..core.safe_text import terminal_text

if TYPE_CHECKING:
    from ..store.workspace import Workspace


def find_diagram(ws: Workspace, name: str, site: str | None = None
                 ) -> tuple[str, str, str, int, str]:
    """The one diagram (driver or fishbone) whose name or its start matches, else a clear
    error.  Returns (kind, site, name, node count, id)."""
    from ..store.errors import NotFoundError
    from ..store.views.diagrams import diagram_list

    rows = [r for r in diagram_list(ws)
            if site is None or r[1].lower().startswith(site.lower())]
    exact = [r for r in rows if r[2].lower() == name.lower()]
    matches = exact or [r for r in rows if r[2].lower().startswith(name.lower())]
    if len(matches) != 1:
        listing = "; ".join(f"{r[2]} ({r[1]})" for r in (matches or rows))
        raise NotFoundError(f"{'No' if not matches else 'More than one'} diagram "
                            f"matches {name!r}" + (f" — choose with --site: {listing}"
                                                   if matches else f". Diagrams: {listing}"))
    return matches[0]


def diagram_drawing(ws: Workspace, row: tuple[str, str, str, int, str]) -> Any:
    """The reportlab drawing of a diagram row from `find_diagram` (driver or fishbone)."""
    from ..report.drawings import driver_drawing, fishbone_drawing
    from ..store.views.diagrams import driver_diagram, fishbone_view

    if row[0] == "fishbone":
        fish = fishbone_view(ws, row[4])
        return fishbone_drawing(fish.layout, fish.fishbone.title or "Fishbone")
    data = driver_diagram(ws, row[4])
    return driver_drawing(data.layout, {i: n.status for i, n in data.nodes.items()},
                          data.diagram.name)


def cmd_diagram(args: argparse.Namespace) -> int:
    from ..store.views.diagrams import diagram_list
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        if args.list or not args.name:
            for kind, site, name, count, _id in diagram_list(ws):
                print(f"{kind}\t{terminal_text(site)}\t{terminal_text(name)}\t{count}")
            return 0
        row = find_diagram(ws, args.name, args.site)
        if args.out is None:
            print("Say where to write it: --out FILE.pdf, FILE.svg or FILE.png", file=sys.stderr)
            return 2
        from ..report.drawings import save_drawing

        drawing = diagram_drawing(ws, row)
        try:
            save_drawing(drawing, args.out)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        print(f"Diagram written to {terminal_text(args.out)}")
    return 0


def cmd_pdsa(args: argparse.Namespace) -> int:
    from ..services.reports import pdsa_summary
    from ..store.views.pdsa import cycle_list
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        rows = [r for r in cycle_list(ws)
                if args.site is None or r.site.lower().startswith(args.site.lower())]
        if not args.title:
            for r in rows:
                print("\t".join(terminal_text(x) for x in (r.site, r.title, r.stage,
                                                           r.decision or "-"))
                      + ("\toverdue" if r.overdue else ""))
            return 0
        matches = [r for r in rows if r.title.lower() == args.title.lower()] or [
            r for r in rows if r.title.lower().startswith(args.title.lower())]
        if len(matches) != 1:
            print(f"{len(matches) or 'No'} cycles match {args.title!r}; add --site or more of "
                  "the title.", file=sys.stderr)
            return 2
        if args.out is None:
            print("Say where to write it: --out FILE.pdf", file=sys.stderr)
            return 2
        pdsa_summary(ws, matches[0].id, args.out)
        print(f"PDSA summary written to {terminal_text(args.out)}")
    return 0
