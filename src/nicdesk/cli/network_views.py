"""Command line for the coordinator's network views (`nicdesk funnel`, `nicdesk matrix`:
the same view models the Network view draws, suppression included) and for meeting
packets (`nicdesk packet`: the same builder the GUI's packet dialog runs).

Every name printed goes through `core.safe_text.terminal_text` (`tt`), so a site or idea
named with escape sequences or bidi overrides cannot repaint or reverse the terminal.
CSV output keeps the names as stored (spreadsheet-safe, see `core.safe_text.csv_cell`)
and is escaped for the terminal only when it is printed to one."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

from ..core.safe_text import terminal_text as tt
from ..paths import workspace_target

if TYPE_CHECKING:  # the parser is built before the GUI's first paint: rules load on use
    from ..core.network import ContextFilter


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("funnel", help="network view: sites' proportions with funnel limits")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--measure", required=True, help="network measure name (or its start)")
    p.add_argument("--from", dest="start", type=dt.date.fromisoformat, metavar="DATE",
                   help="first period included (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", type=dt.date.fromisoformat, metavar="DATE",
                   help="last period included (YYYY-MM-DD)")
    p.add_argument("--csv", action="store_true", help="write CSV to standard output")
    _context_args(p)
    p.set_defaults(func=cmd_funnel)

    p = sub.add_parser("matrix", help="network view: change ideas × sites")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--network", help="network name, when the workspace holds several")
    p.add_argument("--driver", help="only ideas under this driver (name or its start)")
    p.add_argument("--csv", action="store_true", help="write CSV to standard output")
    _context_args(p)
    p.set_defaults(func=cmd_matrix)


    p = sub.add_parser("packet", help="build a meeting's PDF packet")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--meeting", default="latest",
                   help="meeting id, title (or its start), or 'latest' (default)")
    p.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    p.add_argument("--paper", choices=("letter", "a4"), default="letter")
    p.add_argument("--sections", nargs="+", metavar="SECTION",
                   help="which sections, in this order (default: all): agenda measures "
                   "aim driver_diagram fishbone run_charts funnel equity pdsa actions "
                   "notes site_pages progress timeline spread")
    p.add_argument("--measures", nargs="+", metavar="NAME",
                   help="only these measures (names or their starts)")
    p.add_argument("--sites", nargs="+", metavar="NAME",
                   help="only these sites in charts and one-pagers")
    p.add_argument("--cycles", type=int, default=None, metavar="N",
                   help="how many recent PDSA cycles to summarise (default 6)")
    p.set_defaults(func=cmd_packet)

    p = sub.add_parser("copy", help="copy a whole workspace into a new file or an empty "
                       "PostgreSQL database (moving a coordinator to a server)")
    p.add_argument("source", type=workspace_target, help="workspace file or database URL")
    p.add_argument("target", type=workspace_target,
                   help="new .nicdesk file, or postgresql+psycopg://USER@HOST/DATABASE")
    p.set_defaults(func=cmd_copy)

    p = sub.add_parser("install-desktop", help="Linux: menu entry, icon and file types for "
                       "this user (double-click a .nicdesk or .nicbundle to open it)")
    p.add_argument("--target", type=Path, help="instead of $XDG_DATA_HOME (for packagers)")
    p.set_defaults(func=cmd_install_desktop)

    p = sub.add_parser("meetings", help="list meetings with their open action items")
    p.add_argument("workspace", type=workspace_target)
    p.set_defaults(func=cmd_meetings)


def _context_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--grade-band", help="only sites with this grade band tag")
    p.add_argument("--size", dest="enrolment", help="only sites with this size tag")
    p.add_argument("--locale", help="only sites with this locale tag")


def _context(args: argparse.Namespace) -> ContextFilter:
    """The sites chosen by the context options (any tag left unset matches every site)."""
    from ..core.network import ContextFilter

    return ContextFilter.of(grade_band=args.grade_band, enrolment=args.enrolment,
                            locale=args.locale)


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_N = TypeVar("_N", bound=_Named)
_T = TypeVar("_T")


@overload
def _pick(rows: Sequence[_N], name: str, what: str) -> _N: ...
@overload
def _pick(rows: Sequence[_T], name: str, what: str, label: Callable[[_T], str]) -> _T: ...
def _pick(rows: Sequence[Any], name: str, what: str,
          label: Callable[[Any], str] = lambda r: r.name) -> Any:
    """The one row whose label is `name` (or starts with it); NotFoundError otherwise
    (`services.workspaces.pick_named`; `cli.parser.run` prints it as terminal text)."""
    from ..services.workspaces import pick_named

    return pick_named(rows, name, what, label)


def _print_csv(text: str) -> None:
    """CSV to standard output: as written when piped or redirected (the data stays the
    data), with control and bidi characters escaped when it lands on a terminal."""
    import sys

    print(tt(text, newlines=True) if sys.stdout.isatty() else text, end="")


def cmd_funnel(args: argparse.Namespace) -> int:
    from ..core.formatting import rate_value
    from ..core.variation import funnel_limits, suppression_label
    from ..services.workspaces import named_records
    from ..store.views.network import funnel_csv
    from ..store.views.network_page import funnel_view
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        measures = named_records(ws, "measure", network_level=True)
        measure = _pick(measures, args.measure, "network measure")
        view = funnel_view(ws, measure.id, _context(args), args.start, args.end)
    if args.csv:
        _print_csv(funnel_csv(view))
        return 0 if view.funnel else 1
    f = view.funnel
    print(f"{tt(view.measure_name)}: {'all periods' if not (args.start or args.end) else ''}"
          f"{args.start or ''}{' – ' if args.start or args.end else ''}{args.end or ''}")
    if f is None or f.mean is None:
        print(f"  {tt(view.note)}")
        return 1
    limits = funnel_limits(f)  # the screen's and the packet's limits and caption
    print(f"  network mean {rate_value(f.mean, view.percent)}; {limits.caption}")
    for r in f.rows:
        if r.suppressed:
            print(f"  {tt(r.name):<34} {suppression_label(f.threshold)}")
            continue
        flag = limits.flag(r) + (f" (exact limits: {r.flag})" if limits.adjusted else "")
        print(f"  {tt(r.name):<34} {rate_value(r.value, view.percent, sign=''):>6}"
              f"{'%' if view.percent else ''} "
              f"of {r.size:>8.0f}  {tt(flag)}")
    for site, why in view.excluded:
        print(f"  not shown: {tt(site) + ': ' if site else ''}{tt(why)}")
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    from ..services.workspaces import named_records
    from ..store.views.network_page import change_matrix
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        nets = named_records(ws, "network")
        if args.network or len(nets) != 1:
            net = _pick(nets, args.network or "", "network")
        else:
            net = nets[0]
        matrix = change_matrix(ws, net.id, _context(args))
    driver = None
    if args.driver:
        driver = _pick(matrix.drivers, args.driver, "driver", label=lambda d: d[1])[0]
    if args.csv:
        _print_csv(matrix.to_csv(driver))
        return 0
    names = dict(matrix.sites)
    for row in matrix.filtered(driver):
        local = f"  (local idea, {tt(row.local_to)})" if row.local_to else ""
        print(f"{tt(row.title)}{local}")
        if not row.cells:
            print("  not tested at any site yet")
        for site_id, cell in row.ordered_cells(matrix.sites):
            print(f"  {tt(names.get(site_id, site_id)):<34} {cell.cycles} cycle(s), "
                  f"{tt(cell.decision or 'undecided')}, improvement after: "
                  f"{tt(cell.signal_after)}")
    return 0


def cmd_packet(args: argparse.Namespace) -> int:
    import sys

    from ..report.packet import PacketOptions, build_packet, packet_choices
    from ..store.views.meetings import find_meeting
    from ..store.workspace import Workspace

    options = PacketOptions(paper=args.paper)
    if args.sections:
        options.sections = list(args.sections)
    try:
        options.checked()
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    shown = {"last": ""}

    def progress(done: int, total: int, what: str) -> bool:
        line = f"{what}: {100 * done // max(total, 1):3d} %"
        if line != shown["last"] and sys.stderr.isatty():
            print(f"\r{line:<50}", end="", file=sys.stderr, flush=True)
        elif what != shown.get("what"):
            print(what + "…", file=sys.stderr)
        shown["last"], shown["what"] = line, what
        return True

    with Workspace.open(args.workspace) as ws:
        meeting = find_meeting(ws, args.meeting)
        title = f"{tt(meeting.title)} ({meeting.date})"
        measures, sites = packet_choices(ws, meeting.id)
        if args.measures:
            options.measures = [_pick(measures, n, "measure", label=lambda r: r[1])[0]
                                for n in args.measures]
        if args.sites:
            options.sites = [_pick(sites, n, "site", label=lambda r: r[1])[0]
                             for n in args.sites]
        if args.cycles is not None:
            options.recent_cycles = args.cycles
        result = build_packet(ws, meeting.id, args.out, options, progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Packet for {title}: {result.pages} pages written to {tt(result.path)}")
    return 0


def cmd_meetings(args: argparse.Namespace) -> int:
    from ..services.workspaces import named_records
    from ..store.views.meetings import meeting_list
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        sites = {r.id: r.name for r in named_records(ws, "site", include_deleted=True)}
        for m, open_items in meeting_list(ws):
            site = sites[m.site_id] if m.site_id else "network"
            print(f"{m.date or '—'}  {tt(m.title)}  ({tt(site)})  {open_items} "
                  f"open action(s)  id {m.id}")
    return 0


def cmd_install_desktop(args: argparse.Namespace) -> int:
    from ..desktop import install

    written = install(args.target)
    print(f"Installed {len(written)} files under {written[0].parent.parent}: NICdesk is in "
          "the application menu and opens .nicdesk and .nicbundle files.")
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    from ..paths import is_database_url
    from ..store.copy import copy_workspace
    from ..store.workspace import Workspace

    with Workspace.open(args.source) as source:
        target = (Workspace.open(args.target) if is_database_url(args.target)
                  else Workspace.create(args.target))
        try:
            counts = copy_workspace(source, target)
        finally:
            target.close()
    total = sum(counts.values())
    where = getattr(target, "url", None) or target.path
    print(f"Copied {total:,} rows ({counts.get('observations', 0):,} observations) to {where}.")
    return 0
