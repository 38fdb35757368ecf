"""`nicdesk` entry point: no arguments or `open FILE` starts the GUI, `screenshot` renders
it offscreen; everything else is a batch command of `nicdesk.cli.parser`.  Kept apart from the CLI
so the CLI never imports Qt (the import contracts forbid it)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the plain GUI start never builds a parser (start-up time)
    import argparse


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    plain = _plain_gui_start(given)
    if plain is not None:  # `nicdesk` or `nicdesk open FILE`: no parser before the paint
        from .ui.shell.app import run_app

        return run_app(plain or None)
    from .cli.parser import build_parser, database_option, run
    from .paths import workspace_target

    argv = database_option(given)
    parser = build_parser()
    sub = _subcommands(parser)
    p = sub.add_parser("open", help="open a workspace (file or database URL) in the app")
    p.add_argument("path", type=workspace_target, nargs="?")
    p.set_defaults(func=_gui)
    p = sub.add_parser(
        "screenshot", help="render the main window to a PNG without a display")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--select", default="", help="navigator path to select, e.g. 'Lincoln/Aims'")
    p.add_argument("--size", default="1400x900", help="window size WIDTHxHEIGHT")
    p.set_defaults(func=_screenshot)
    args = parser.parse_args(argv)
    if getattr(args, "func", None) in (None, _gui):
        # the window paints before the store (SQLAlchemy) loads; the app shows its own
        # errors in dialogs, so the batch wrapper `run` (which imports the store) is not
        # needed here
        return _gui(args)
    if args.func is _screenshot:  # says itself what it could not open; a first look
        return int(_screenshot(args))  # needs no store (`ui.shell.app.screenshot`)
    if args.command == "diagram" and args.out is not None and args.out.suffix.lower() == ".png":
        args.func = _diagram_png  # PNG needs Qt's renderer; PDF and SVG do not
    return run(args)


def _plain_gui_start(args: list[str]) -> Path | str | None:
    """The workspace of a plain GUI start ("" for none), or None for anything else.

    `nicdesk` and `nicdesk open FILE` are what a desktop launcher and a double-click run:
    building the batch commands' parser (and importing what it names) would only delay
    the first paint.  Anything with an option (`--help`, `--database URL`) goes through
    the parser as before."""
    from .paths import workspace_target

    if not args:
        return ""
    if args[0] == "open" and len(args) == 2 and not args[1].startswith("-"):
        return workspace_target(args[1])
    return None


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[
        argparse.ArgumentParser]:
    """The batch commands' subparsers action, to add the GUI's own commands to."""
    import argparse

    for action in parser._actions:
        if action.dest == "command" and isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError("the command line parser has no subcommands")


def _diagram_png(args: argparse.Namespace) -> int:
    import os

    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .cli.records import find_diagram
    from .store.views.diagrams import driver_diagram, fishbone_view
    from .store.workspace import Workspace
    from .ui.diagram.scene import DiagramScene
    from .ui.shell.app import application

    application()
    with Workspace.open(args.workspace) as ws:
        kind, *_rest, diagram_id = find_diagram(ws, args.name, args.site)
        scene = DiagramScene()
        if kind == "fishbone":  # as its editor shows it: no node statuses
            scene.show_layout(fishbone_view(ws, diagram_id).layout)
        else:
            data = driver_diagram(ws, diagram_id)
            scene.show_layout(data.layout, {i: n.status for i, n in data.nodes.items()})
    scene.export(args.out)
    print(f"Diagram written to {args.out}")
    return 0


def _gui(args: argparse.Namespace) -> int:
    from .ui.shell.app import run_app

    return run_app(getattr(args, "path", None))


def _screenshot(args: argparse.Namespace) -> int:
    from .ui.shell.app import screenshot

    return screenshot(args.workspace, args.out, args.select, args.size)


if __name__ == "__main__":
    sys.exit(main())
