"""Workspace commands: `demo` (the sample network), `new`, and what a workspace holds —
`info` (records per kind), `tree` (the navigator) and `show` (one navigator item)."""

from __future__ import annotations

import argparse
import sys
import textwrap

from ..core.safe_text import terminal_text


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import build_demo

    if args.network:
        from ..demo.network import build_network_demo

        for path in build_network_demo(args.path, args.seed):
            print(path)
        return 0

    if args.path.exists() and args.path.stat().st_size > 0:
        print(f"{args.path} already exists; choose a new file name.", file=sys.stderr)
        return 2
    ws = build_demo(args.path, seed=args.seed)
    ws.close()
    print(f"Sample network written to {args.path}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from ..services.workspaces import create_workspace

    create_workspace(args.path, args.network).close()
    print(f"Workspace created: {args.path}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from ..store.views.navigator import record_counts
    from ..store.workspace import SCHEMA_VERSION, Workspace

    with Workspace.open(args.workspace) as ws:
        print(f"{terminal_text(ws.path)}: NICdesk workspace, schema version {SCHEMA_VERSION}")
        for kind, n in record_counts(ws).items():
            if n:
                print(f"  {kind:20} {n}")
    return 0


def cmd_tree(args: argparse.Namespace) -> int:
    from ..store.views.navigator import navigator
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        for root in navigator(ws):
            for trail, _node in root.walk():
                print("  " * (len(trail) - 1) + terminal_text(trail[-1]))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from ..store.views.navigator import find_in_navigator
    from ..store.views.navigator import summary as read_summary
    from ..store.views.queries import has_summary
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        node = find_in_navigator(ws, args.select)
        if node is None:
            print(f"Nothing in the navigator matches {args.select!r}.", file=sys.stderr)
            return 1
        # everything shown comes from people: names, titles, notes (control and bidi
        # characters as visible escapes, core.safe_text.terminal_text)
        if not node.id or not has_summary(node.kind):
            print(terminal_text(node.label))
            for child in node.children:
                print(f"  {terminal_text(child.label)}")
            return 0
        summary = read_summary(ws, node.kind, node.id, node.site_id)
        print(terminal_text(summary.title))
        if summary.subtitle:
            print(terminal_text(summary.subtitle))
        for key, value in summary.facts:
            print(terminal_text(textwrap.fill(f"{key}: {value}", 88, subsequent_indent="    "),
                                newlines=True))
        for heading, lines in summary.sections:
            print(f"\n{terminal_text(heading)}")
            for line in lines:
                print(f"  {terminal_text(line)}")
        if summary.table:
            header, rows = summary.table
            print("\n" + " | ".join(terminal_text(h) for h in header))
            for row in rows:
                print(" | ".join(terminal_text(c) for c in row))
    return 0
