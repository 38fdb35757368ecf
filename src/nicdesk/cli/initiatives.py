"""`nicdesk new-initiative NEW --from WS [--network NAME] | --template ID [--name NAME]`
and `nicdesk templates`: start the next initiative from this one's structure, or from a
starter template (`services.initiatives`, the same flow as the GUI's File → New
Initiative From…).

The new network goes into a new file; the old one is only read.  `--dry-run` prints
what would be copied and writes nothing."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from ..core.initiative import InitiativePlan
from ..core.safe_text import terminal_text as tt
from ..paths import workspace_target


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("new-initiative", help="a new workspace whose network starts with "
                       "the structure of a network, or of a starter template")
    p.add_argument("path", type=Path, help="the new .nicdesk file (must not exist)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--from", dest="source", type=workspace_target, metavar="WS",
                        help="the workspace whose network's structure is copied")
    source.add_argument("--template", help="a starter template's id (see `nicdesk "
                        "templates`)")
    p.add_argument("--network", help="with --from: the network (or its start), when the "
                   "workspace holds several")
    p.add_argument("--name", default="", help="the new network's name (a template's own "
                   "name if not given; required with --from)")
    p.add_argument("--dry-run", action="store_true", help="only show what would be copied")
    p.set_defaults(func=cmd_new_initiative)

    p = sub.add_parser("templates", help="the starter templates for a new initiative, with "
                       "their sources")
    p.set_defaults(func=cmd_templates)


def cmd_new_initiative(args: argparse.Namespace) -> int:
    from ..services.initiatives import (
        initiative_from_network,
        initiative_from_template,
        start_initiative,
    )
    from ..services.workspaces import choose_network
    from ..store.workspace import Workspace

    if args.path.is_dir():
        # Without this, "folder" became "folder.nicdesk" beside it: a file the user never named.
        print(f"{tt(args.path)} is a folder: give the new file's name inside it, "
              f"e.g. {tt(args.path / 'next-initiative.nicdesk')}.", file=sys.stderr)
        return 2
    path: Path = args.path if args.path.suffix else args.path.with_suffix(".nicdesk")
    if path.exists() and not args.dry_run:
        print(f"{tt(path)} already exists: name a new file for the new initiative.",
              file=sys.stderr)
        return 2
    if args.source is not None:
        if not args.name.strip():
            print("Name the new initiative with --name \"…\".", file=sys.stderr)
            return 2
        with Workspace.open(args.source) as old:
            net = choose_network(old, args.network, "nothing to start from")
            plan = initiative_from_network(old, net.id, args.name)
    else:
        if args.network:
            print("--network goes with --from, not with --template.", file=sys.stderr)
            return 2
        plan = initiative_from_template(args.template, args.name)
    print(describe(plan))
    if args.dry_run:
        print("Nothing was written (--dry-run).")
        return 0
    start_initiative(path, plan).close()
    print(f"Started {tt(plan.name)} in {tt(path)}.")
    return 0


def describe(plan: InitiativePlan) -> str:
    """What the new network starts with, and what stays behind, in lines."""
    lines = [tt(plan.summary())]
    lines.append("  Left behind, and what to check:")
    lines += [textwrap.fill(tt(s), 96, initial_indent="  - ", subsequent_indent="    ")
              for s in plan.left_out]
    if plan.sources:
        lines.append("  Sources:")
        lines += [textwrap.fill(tt(s), 96, initial_indent="  - ", subsequent_indent="    ")
                  for s in plan.sources]
    return "\n".join(lines)


def cmd_templates(args: argparse.Namespace) -> int:
    from ..templates import starter_templates

    for t in starter_templates():
        print(f"{t.id}: {tt(t.name)}")
        print(textwrap.fill(tt(t.summary), 96, initial_indent="  ", subsequent_indent="  "))
        for s in t.sources:
            print(textwrap.fill(tt(s), 96, initial_indent="  - ", subsequent_indent="    "))
    return 0
