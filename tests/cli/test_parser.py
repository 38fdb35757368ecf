"""The parser is the command line's one surface: every command in the order `nicdesk
--help` lists it, each run by a function of the module for its subject — and no command
module goes back to the parser (the CLI never calls itself)."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import nicdesk.cli
from nicdesk.cli.parser import build_parser

COMMANDS = ["demo", "new", "info", "tree", "import-csv", "chart", "diagram", "pdsa", "keys",
            "network", "join", "export", "verify", "import", "dump", "funnel", "matrix",
            "packet", "copy", "install-desktop", "meetings", "review", "groups", "enrolment", "comments",
            "comment", "new-initiative", "templates", "show", "guide"]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions
                  if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_commands_in_help_order_each_in_its_subject_module() -> None:
    commands = _subparsers(build_parser())
    assert list(commands) == COMMANDS
    modules = set()
    for name, sub in commands.items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        for p in (list(nested[0].choices.values()) if nested else [sub]):
            func = p.get_default("func")
            assert func is not None, name
            modules.add(func.__module__)
    assert modules == {f"nicdesk.cli.{m}" for m in (
        "workspace", "measures", "records", "membership", "exchange", "network_views",
        "review", "groups", "discussion", "initiatives", "guide")}


def test_no_command_module_reenters_the_parser() -> None:
    folder = Path(nicdesk.cli.__file__).parent
    for path in folder.glob("*.py"):
        if path.name == "parser.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module not in ("parser", "nicdesk.cli.parser") and not (
                    node.level == 1 and node.module is None
                    and any(a.name == "parser" for a in node.names)), path.name
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr != "parse_args", path.name
