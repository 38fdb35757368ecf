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
    from ..store.views.queries import counts
    from ..store.workspace import SCHEMA_VERSION, Workspace

    with Workspace.open(args.workspace) as ws, ws.read() as s:
        print(f"{terminal_text(ws.path)}: NICdesk workspace, schema version {SCHEMA_VERSION}")
        for kind, n in counts(s).items():
            if n:
                print(f"  {kind:20} {n}")
    return 0


def cmd_tree(args: argparse.Namespace) -> int:
    from ..store.views.queries import navigator_tree
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws, ws.read() as s:
        for root in navigator_tree(s):
            for trail, _node in root.walk():
                print("  " * (len(trail) - 1) + terminal_text(trail[-1]))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from ..store.views.queries import find_path, has_summary, navigator_tree, summarize
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws, ws.read() as s:
        node = find_path(navigator_tree(s), args.select)
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
        summary = summarize(s, node.kind, node.id, node.site_id)
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
