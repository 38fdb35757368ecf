"""`nicdesk` entry point: no arguments or `open FILE` starts the GUI, `screenshot` renders
it offscreen; everything else is a batch command of `nicdesk.cli.parser`.  Kept apart from the CLI
so the CLI never imports Qt (the import contracts forbid it)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    from .cli.parser import build_parser, database_option, run
    from .paths import workspace_target

    argv = database_option(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # the subparsers action
    p = sub.add_parser("open", help="open a workspace (file or database URL) in the app")  # type: ignore[attr-defined]
    p.add_argument("path", type=workspace_target, nargs="?")
    p.set_defaults(func=_gui)
    p = sub.add_parser(  # type: ignore[attr-defined]
        "screenshot", help="render the main window to a PNG without a display")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--select", default="", help="navigator path to select, e.g. 'Lincoln/Aims'")
    p.add_argument("--size", default="1400x900", help="window size WIDTHxHEIGHT")
    p.set_defaults(func=_screenshot)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        return _gui(args)
    if args.command == "diagram" and args.out is not None and args.out.suffix.lower() == ".png":
        args.func = _diagram_png  # PNG needs Qt's renderer; PDF and SVG do not
    return run(args)


def _diagram_png(args: object) -> int:
    import os

    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .cli.records import find_diagram
    from .store.ops.diagrams import load_diagram
    from .store.workspace import Workspace
    from .ui.diagram.scene import DiagramScene
    from .ui.shell.app import application

    application()
    with Workspace.open(args.workspace) as ws, ws.read() as s:  # type: ignore[attr-defined]
        data = load_diagram(s, find_diagram(s, args.name, args.site)[4])  # type: ignore[attr-defined]
    scene = DiagramScene()
    scene.show_layout(data.layout, {i: n.status for i, n in data.nodes.items()})
    scene.export(args.out)  # type: ignore[attr-defined]
    print(f"Diagram written to {args.out}")  # type: ignore[attr-defined]
    return 0


def _gui(args: object) -> int:
    from .ui.shell.app import run_app

    return run_app(getattr(args, "path", None))


def _screenshot(args: object) -> int:
    from .ui.shell.app import screenshot

    return screenshot(args.workspace, args.out, args.select, args.size)  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
