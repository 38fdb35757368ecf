"""Command line: the batch jobs (demo, info, tree, show) on the same operations and queries
the GUI uses.  GUI commands (`open`, `screenshot`) are added by `nicdesk.main`, because this
module must not import Qt."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .store.errors import WorkspaceError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nicdesk",
        description="NICdesk: a workbench for networked improvement communities. "
        "Run without arguments to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"nicdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="write the sample network to a new workspace file")
    p.add_argument("path", type=Path)
    p.add_argument("--seed", type=int, default=2015, help="same seed, same content")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("new", help="create an empty workspace with one network")
    p.add_argument("path", type=Path)
    p.add_argument("--network", default="New network", help="the network's name")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("info", help="what a workspace holds: schema, records per kind")
    p.add_argument("workspace", type=Path)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("tree", help="print the navigator tree")
    p.add_argument("workspace", type=Path)
    p.set_defaults(func=cmd_tree)

    p = sub.add_parser("show", help="print one navigator item, e.g. 'Lincoln/Measures/9th'")
    p.add_argument("workspace", type=Path)
    p.add_argument("select", help="path in the navigator (segments separated by /)")
    p.set_defaults(func=cmd_show)
    return parser


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import build_demo

    if args.path.exists() and args.path.stat().st_size > 0:
        print(f"{args.path} already exists; choose a new file name.", file=sys.stderr)
        return 2
    ws = build_demo(args.path, seed=args.seed)
    ws.close()
    print(f"Sample network written to {args.path}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .store.workspace import Workspace

    with Workspace.create(args.path) as ws:
        ws.ops.create("network", name=args.network)
    print(f"Workspace created: {args.path}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from .store.queries import counts
    from .store.workspace import SCHEMA_VERSION, Workspace

    with Workspace.open(args.workspace) as ws, ws.read() as s:
        print(f"{ws.path}: NICdesk workspace, schema version {SCHEMA_VERSION}")
        for kind, n in counts(s).items():
            if n:
                print(f"  {kind:20} {n}")
    return 0


def cmd_tree(args: argparse.Namespace) -> int:
    from .store.queries import navigator_tree
    from .store.workspace import Workspace

    with Workspace.open(args.workspace) as ws, ws.read() as s:
        for root in navigator_tree(s):
            for trail, _node in root.walk():
                print("  " * (len(trail) - 1) + trail[-1])
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from .store.queries import find_path, has_summary, navigator_tree, summarize
    from .store.workspace import Workspace

    with Workspace.open(args.workspace) as ws, ws.read() as s:
        node = find_path(navigator_tree(s), args.select)
        if node is None:
            print(f"Nothing in the navigator matches {args.select!r}.", file=sys.stderr)
            return 1
        if not node.id or not has_summary(node.kind):
            print(node.label)
            for child in node.children:
                print(f"  {child.label}")
            return 0
        summary = summarize(s, node.kind, node.id, node.site_id)
        print(summary.title)
        if summary.subtitle:
            print(summary.subtitle)
        for key, value in summary.facts:
            print(textwrap.fill(f"{key}: {value}", 88, subsequent_indent="    "))
        for heading, lines in summary.sections:
            print(f"\n{heading}")
            for line in lines:
                print(f"  {line}")
        if summary.table:
            header, rows = summary.table
            print("\n" + " | ".join(header))
            for row in rows:
                print(" | ".join(row))
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except WorkspaceError as exc:
        print(f"{exc.title}: {exc.message}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Batch entry point (no GUI commands)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return run(args)
