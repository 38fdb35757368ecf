"""`nicdesk review WS --from DATE --to DATE --out FILE.pdf [--network NAME]`: the
year-in-review report for a state agency or a funder (`report.review.build_review`, the
same builder the GUI's "Year in review…" action runs).

Bad input is refused before anything is read or written, with what is wrong and what
to type instead: a date that is not YYYY-MM-DD, a period that ends before it starts,
several networks and no --network, a network name that matches none."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..core.safe_text import terminal_text as tt
from ..paths import workspace_target


def report_date(text: str) -> dt.date:
    """An argparse type: a calendar date written YYYY-MM-DD, with a message that says so."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write it as YYYY-MM-DD, for example 2025-08-01"
        ) from None


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("review", help="year in review: a network's period as a PDF report "
                       "for a state agency or funder")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--from", dest="start", type=report_date, required=True, metavar="DATE",
                   help="first day of the period (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", type=report_date, required=True, metavar="DATE",
                   help="last day of the period (YYYY-MM-DD)")
    p.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    p.add_argument("--network", help="network name (or its start), when the workspace "
                   "holds several")
    p.add_argument("--paper", choices=("letter", "a4"), default="letter")
    p.set_defaults(func=cmd_review)


def cmd_review(args: argparse.Namespace) -> int:
    from ..report.review import build_review
    from ..services.workspaces import choose_network
    from ..store.views.review import check_range
    from ..store.workspace import Workspace

    check_range(args.start, args.end)
    if args.out.suffix.lower() != ".pdf":
        print(f"The report is a PDF: name the file with .pdf (not {tt(args.out.name)}).",
              file=sys.stderr)
        return 2
    if not args.out.parent.exists():
        print(f"The folder {tt(args.out.parent)} does not exist: create it or write the "
              "report elsewhere.", file=sys.stderr)
        return 2
    with Workspace.open(args.workspace) as ws:
        net = choose_network(ws, args.network, "nothing to review")
        result = build_review(ws, net.id, args.start, args.end, args.out, paper=args.paper)
    d = result.data
    print(f"Year in review of {tt(d.network_name)}, {d.start} to {d.end}: {result.pages} "
          f"pages written to {tt(result.path)}.")
    return 0
