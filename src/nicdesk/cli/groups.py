"""Student-group commands (issue #21): a network's dimensions and groups, and a site's
enrolment by school year.

    nicdesk groups WS [--network N]                       list dimensions and groups
    nicdesk groups WS add-usual                           add the usual groups it lacks
    nicdesk groups WS add-dimension NAME [--description]  a new dimension
    nicdesk groups WS add NAME --dimension D              a new group in a dimension
    nicdesk groups WS rename OLD NEW [--dimension D]      rename a group (or, with no
                                                          --dimension, a dimension)
    nicdesk enrolment WS --site S                         a site's enrolment figures
    nicdesk enrolment WS --site S --year 2025-26 --students N [--group G]

Each write is one undoable operation through the validated writes (`store.ops.groups`),
so a bad name, a year not written 2025-26 or a group of another network is refused with
what to type instead, and nothing changes."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..core.safe_text import terminal_text as tt
from ..paths import workspace_target

if TYPE_CHECKING:
    from ..services.workspaces import Named
    from ..store.workspace import Workspace

ACTIONS = ("list", "add-usual", "add-dimension", "add", "rename")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("groups", help="a network's student groups: list, add the usual "
                       "ones, add or rename a dimension or group")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("action", nargs="?", default="list", choices=ACTIONS, metavar="ACTION",
                   help="list (default), add-usual, add-dimension, add, rename")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="add-dimension/add: the new name; rename: the old and new names")
    p.add_argument("--dimension", help="the dimension of the group (add, rename)")
    p.add_argument("--description", default="", help="add-dimension: what it holds")
    p.add_argument("--network", help="network name, when the workspace holds several")
    p.set_defaults(func=cmd_groups)

    p = sub.add_parser("enrolment", help="a site's enrolment by school year: list, or set "
                       "the total or one group's students")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--site", required=True, help="the site's name")
    p.add_argument("--year", help="the school year, written 2025-26")
    p.add_argument("--students", type=int, help="how many students (with --year)")
    p.add_argument("--group", help="the student group (default: all students)")
    p.add_argument("--remove", action="store_true", help="remove the figure instead")
    p.set_defaults(func=cmd_enrolment)


def _network(ws: Workspace, name: str | None) -> Named:
    from ..services.workspaces import choose_network

    return choose_network(ws, name, "create one with `nicdesk new`")


def _needs(args: argparse.Namespace, count: int, usage: str) -> list[str] | None:
    if len(args.names) != count:
        print(f"usage: nicdesk groups WS {args.action} {usage}")
        return None
    return list(args.names)


def cmd_groups(args: argparse.Namespace) -> int:
    from ..services.workspaces import pick_named
    from ..store.ops import groups as gops
    from ..store.views.groups import read_dimensions
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        net = _network(ws, args.network)
        dims = read_dimensions(ws, net.id)
        if args.action == "add-usual":
            done = gops.add_usual_groups(ws, net.id)
            print("The network has every usual dimension already; nothing added." if done is None
                  else f"Added the usual student groups to {tt(net.name)}.")
        elif args.action == "add-dimension":
            names = _needs(args, 1, "NAME [--description TEXT]")
            if names is None:
                return 2
            gops.add_dimension(ws, net.id, names[0], args.description)
            print(f"Added the dimension {tt(names[0].strip())}.")
        elif args.action == "add":
            names = _needs(args, 1, "NAME --dimension DIMENSION")
            if names is None or not args.dimension:
                if names is not None:
                    print("Say which dimension the group is part of: --dimension NAME.")
                return 2
            dim = pick_named(dims, args.dimension, "dimension", lambda d: d.name)
            gops.add_group(ws, dim.id, names[0])
            print(f"Added {tt(names[0].strip())} to {tt(dim.name)}.")
        elif args.action == "rename":
            names = _needs(args, 2, "OLD NEW [--dimension DIMENSION]")
            if names is None:
                return 2
            if args.dimension:
                dim = pick_named(dims, args.dimension, "dimension", lambda d: d.name)
                group = pick_named(list(dim.groups), names[0], "group", lambda g: g.name)
                gops.rename(ws, "student_group", group.id, names[1])
            else:
                dim = pick_named(dims, names[0], "dimension", lambda d: d.name)
                gops.rename(ws, "group_dimension", dim.id, names[1])
            print(f"Renamed {tt(names[0])} to {tt(names[1].strip())}.")
        if args.action != "list":
            dims = read_dimensions(ws, net.id)
        if not dims:
            print(f"{tt(net.name)} has no student groups yet: `nicdesk groups WS add-usual` "
                  "adds race/ethnicity, English learners, students with disabilities, "
                  "economically disadvantaged and gender.")
            return 0
        print(f"Student groups of {tt(net.name)}:")
        for d in dims:
            print(f"  {tt(d.name)}: " + ", ".join(tt(g.name) for g in d.groups))
    return 0


def cmd_enrolment(args: argparse.Namespace) -> int:
    from ..core.groups import match_group
    from ..services.workspaces import find_named
    from ..store.errors import InvalidChangeError
    from ..store.ops.groups import set_enrolment
    from ..store.views.groups import read_dimensions, read_site_enrolments, site_network
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        site = find_named(ws, "site", args.site, "site")
        if args.year:
            if args.students is None and not args.remove:
                print("Give the number of students with --students N (or --remove).")
                return 2
            if args.students is not None and args.students < 0:
                raise InvalidChangeError("The number of students cannot be negative.")
            group_id = None
            if args.group:
                network_id = site_network(ws, site.id) or ""
                choices = [g for d in read_dimensions(ws, network_id) for g in d.groups]
                group, problem = match_group(args.group, choices)
                if problem:
                    raise InvalidChangeError(problem[:1].upper() + problem[1:] + ".")
                group_id = group.id if group is not None else None
            set_enrolment(ws, site.id, args.year.strip(), group_id,
                          None if args.remove else args.students)
        rows = read_site_enrolments(ws, site.id)
        if not rows:
            print(f"No enrolment recorded for {tt(site.name)} yet.")
            return 0
        print(f"Enrolment of {tt(site.name)}:")
        for r in rows:
            print(f"  {r.school_year}\t{tt(r.group_label)}\t{r.students}")
    return 0
