"""Command line: the parser of the batch jobs (demo, info, tree, show, keys, network,
export, import…) and the one place they are run.  Each command is a function in the
module for its subject (`workspace`, `measures`, `records`, `membership`, `exchange`,
`network_views`) and calls the same services and queries the GUI uses — never this parser
again.  GUI commands (`open`, `screenshot`) are added by `nicdesk.main`, because this
package must not import Qt."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..core.errors import NicdeskError
from ..core.safe_text import terminal_text
from ..core.states import CHART_NAMES
from ..paths import workspace_target
from . import exchange, measures, membership, records, workspace


def database_option(argv: list[str]) -> list[str]:
    """`--database URL` anywhere stands for the WORKSPACE argument of the command."""
    if "--database" not in argv and not any(a.startswith("--database=") for a in argv):
        return argv
    out, url = [], None
    items = iter(argv)
    for a in items:
        if a == "--database":
            url = next(items, None)
        elif a.startswith("--database="):
            url = a.split("=", 1)[1]
        else:
            out.append(a)
    if not url:
        return out
    commands = [i for i, a in enumerate(out) if not a.startswith("-")]
    if not commands:
        return out
    at = commands[0] + (2 if out[commands[0]] in ("keys", "network") else 1)
    return [*out[:at], url, *out[at:]]


def build_parser() -> argparse.ArgumentParser:
    """Every batch command and its options, in the order `nicdesk --help` lists them;
    each command is a function of the module for its subject."""
    parser = argparse.ArgumentParser(
        prog="nicdesk",
        description="NICdesk: a workbench for networked improvement communities. "
        "Run without arguments to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"nicdesk {__version__}")
    parser.add_argument("--database", metavar="URL",
                        help="a coordinator database (postgresql+psycopg://USER@HOST/DB) "
                        "in place of the WORKSPACE file of any command")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="write the sample network to a new workspace file")
    p.add_argument("path", type=Path, help="a .nicdesk file, or a folder with --network")
    p.add_argument("--seed", type=int, default=2015, help="same seed, same content")
    p.add_argument("--network", action="store_true",
                   help="one coordinator file and one file per site, keys enrolled")
    p.set_defaults(func=workspace.cmd_demo)

    p = sub.add_parser("new", help="create an empty workspace with one network")
    p.add_argument("path", type=Path)
    p.add_argument("--network", default="New network", help="the network's name")
    p.set_defaults(func=workspace.cmd_new)

    p = sub.add_parser("info", help="what a workspace holds: schema, records per kind")
    p.add_argument("workspace", type=workspace_target)
    p.set_defaults(func=workspace.cmd_info)

    p = sub.add_parser("tree", help="print the navigator tree")
    p.add_argument("workspace", type=workspace_target)
    p.set_defaults(func=workspace.cmd_tree)

    p = sub.add_parser("import-csv", help="import a measure's data for one site from CSV "
                       "or an Excel workbook (.xlsx)")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("file", type=Path, help="CSV or .xlsx: date,value or "
                   "date,numerator,denominator[,note]")
    p.add_argument("--sheet", metavar="NAME", help="the workbook's sheet to read (default: "
                   "the first sheet with data)")
    p.add_argument("--measure", required=True, help="the measure's name")
    p.add_argument("--site", required=True, help="the site's name")
    p.add_argument("--replace", action="store_true",
                   help="replace values already stored for the same periods (default: skip)")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="import the good rows and leave out rows with problems")
    p.add_argument("--dry-run", action="store_true", help="only show the preview")
    p.set_defaults(func=measures.cmd_import_csv)

    p = sub.add_parser("chart", help="a measure's run-chart signals at one site, in words")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--measure", required=True)
    p.add_argument("--site", required=True)
    p.add_argument("--chart", choices=list(CHART_NAMES), metavar="KIND",
                   help="judge with this chart instead of the measure's own: run, p, u, c, "
                   "i, or Laney's pp (p′) and up (u′) for very large denominators")
    p.set_defaults(func=measures.cmd_chart)

    p = sub.add_parser("diagram", help="list diagrams, or export one as PDF, SVG or PNG")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("name", nargs="?", help="the diagram's name (or its start)")
    p.add_argument("--list", action="store_true", help="every diagram, tab-separated")
    p.add_argument("--site", help="the site, when several diagrams share a name")
    p.add_argument("--out", type=Path, help="FILE.pdf, FILE.svg or FILE.png")
    p.set_defaults(func=records.cmd_diagram)

    p = sub.add_parser("pdsa", help="list PDSA cycles, or print one as a one-page PDF")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("title", nargs="?", help="the cycle's title (or its start)")
    p.add_argument("--site", help="the site, when several cycles share a title")
    p.add_argument("--out", type=Path, help="FILE.pdf")
    p.set_defaults(func=records.cmd_pdsa)

    # ---- keys, network membership and bundles
    keys_p = sub.add_parser("keys", help="this computer's signing key for a workspace")
    keys_sub = keys_p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    p = keys_sub.add_parser("init", help="create a signing key and say which site this is")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--site", help="the site this workspace speaks for")
    p.add_argument("--coordinator", action="store_true",
                   help="this is the coordinator's workspace (signs digests)")
    p.add_argument("--passphrase", help="protect the private key with a passphrase")
    p.set_defaults(func=membership.cmd_keys_init)
    p = keys_sub.add_parser("show", help="key id and fingerprint")
    p.add_argument("workspace", type=workspace_target)
    p.set_defaults(func=membership.cmd_keys_show)
    p = keys_sub.add_parser("export-public", help="write the public key (minisign .pub)")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=membership.cmd_keys_export)

    net_p = sub.add_parser("network", help="enrol sites and trust the coordinator")
    net_sub = net_p.add_subparsers(dest="network_command", metavar="ACTION", required=True)
    p = net_sub.add_parser("enroll", help="coordinator: accept a site's key from its join "
                           "request or public key file (compare fingerprints!)")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("pubkey", type=Path, metavar="REQUEST",
                   help="the school's join request (.nicjoin) or public key (.pub)")
    p.add_argument("--site", help="the site of the network (default: the name in the join "
                   "request); with --new, the new site's name")
    p.add_argument("--new", action="store_true", help="add the school as a new site")
    p.set_defaults(func=membership.cmd_enroll)
    p = net_sub.add_parser("request-join", help="school: this computer's key and a join "
                           "request file for the coordinator")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--out", type=Path, required=True, help="the request file (.nicjoin)")
    p.add_argument("--site", help="the school's name (default: this workspace's site)")
    p.add_argument("--contact", default="", help="who to call back (name, e-mail)")
    p.add_argument("--passphrase", help="protect the new private key with a passphrase")
    p.set_defaults(func=membership.cmd_request_join)
    p = net_sub.add_parser("create", help="coordinator: a new network workspace with its key")
    p.add_argument("path", type=Path)
    p.add_argument("--name", required=True, help="the network's name")
    p.add_argument("--coordinator-site", default="Network hub",
                   help="the coordinating organisation (a site of the network)")
    p.add_argument("--passphrase")
    p.set_defaults(func=membership.cmd_network_create)
    p = net_sub.add_parser("invite", help="coordinator: an invitation bundle for one site")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--site", required=True)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=membership.cmd_invite)
    p = net_sub.add_parser("trust-coordinator", help="accept the coordinator's public key")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("pubkey", type=Path)
    p.set_defaults(func=membership.cmd_trust)
    p = net_sub.add_parser("rotate-key", help="coordinator: a new key, announced by the next "
                           "digest (signed with the current one)")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--passphrase", help="protect the new private key with a passphrase")
    p.set_defaults(func=membership.cmd_rotate_key)

    p = sub.add_parser("join", help="site: start a workspace from an invitation")
    p.add_argument("invitation", type=Path)
    p.add_argument("--out", type=Path, required=True, help="the new workspace file")
    p.add_argument("--pub", type=Path, help="where to write this computer's public key")
    p.add_argument("--passphrase", help="for a new key: protect it with a passphrase")
    p.add_argument("--key-from", type=workspace_target, metavar="WORKSPACE",
                   help="sign with the key of this workspace (the one that wrote the join "
                   "request; found by itself when the coordinator enrolled it)")
    p.add_argument("--bring", type=workspace_target, metavar="WORKSPACE",
                   help="the school's own workspace (the one that wrote the join request, "
                   "or a standalone one): its work comes along as the site's own; that "
                   "file stays as it was")
    p.set_defaults(func=membership.cmd_join)

    p = sub.add_parser("export", help="write a signed bundle of this site's records")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--digest", action="store_true", help="coordinator: all sites' records")
    p.add_argument("--for-site", metavar="SITE",
                   help="with --digest: a digest for this site alone, keeping its own small "
                   "counts (for its other computers)")
    p.add_argument("--full", action="store_true",
                   help="a site: every record it owns, not only what changed since the "
                   "last bundle the coordinator confirmed (digests are always full)")
    p.add_argument("--passphrase")
    p.set_defaults(func=exchange.cmd_export)

    p = sub.add_parser("verify", help="check a bundle's signature and files")
    p.add_argument("bundle", type=Path)
    p.add_argument("--key", type=Path, help="the signer's public key (.pub); without it "
                   "only the manifest is read and the signature is not checked")
    p.set_defaults(func=exchange.cmd_verify)

    p = sub.add_parser("import", help="verify and merge bundles into a workspace")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("bundles", type=Path, nargs="+")
    p.set_defaults(func=exchange.cmd_import)

    p = sub.add_parser("dump", help="every shared record as canonical JSON")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--json", action="store_true", help="(the only format)")
    p.set_defaults(func=exchange.cmd_dump)

    from .network_views import add_commands

    add_commands(sub)

    from . import review  # the year-in-review report (issue #22)

    review.add_command(sub)

    from . import groups  # student groups and enrolment (issue #21)

    groups.add_commands(sub)

    from . import discussion  # comments: read, write, reply, resolve (issue #22)

    discussion.add_commands(sub)

    from . import initiatives  # the next initiative, from this one or a template (#22)

    initiatives.add_commands(sub)

    p = sub.add_parser("show", help="print one navigator item, e.g. 'Lincoln/Measures/9th'")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("select", help="path in the navigator (segments separated by /)")
    p.set_defaults(func=workspace.cmd_show)

    from . import guide  # the built-in guide's pages (no workspace)

    guide.add_commands(sub)
    return parser


def print_warning(text: str) -> None:
    """`Workspace.warning_hook` while a command runs: each warning at open (a -wal set
    aside, say) one line on stderr.  A warning that cannot be printed does not stop the
    command."""
    try:
        print(f"Warning: {terminal_text(text)}", file=sys.stderr)
    except (OSError, ValueError):  # stderr closed, or gone with its pipe
        pass


def run(args: argparse.Namespace) -> int:
    """Run one parsed command: a refusal is one line on stderr (exit 2), never a
    traceback."""
    # every command opens its workspace itself (and the GUI commands import this module
    # before their window shows anyway): one hook here tells the person of each warning
    from ..store.workspace import Workspace

    previous, Workspace.warning_hook = Workspace.warning_hook, print_warning
    try:
        return int(args.func(args))
    except NicdeskError as exc:
        # a refusal may say more on lines of its own (a CSV's problem rows): kept as lines
        print(f"{exc.title}: {terminal_text(exc.message, newlines=True)}", file=sys.stderr)
        return 2
    except Exception as exc:  # last resort: a damaged or crafted file, never a traceback
        if os.environ.get("NICDESK_DEBUG"):
            raise
        print(f"Something went wrong: {terminal_text(type(exc).__name__)} — "
              f"{terminal_text(str(exc))[:200]}. Nothing more was changed. If the workspace "
              "may be damaged, open a backup copy; set NICDESK_DEBUG=1 to see the details, "
              "and please report it.", file=sys.stderr)
        return 2
    finally:
        Workspace.warning_hook = previous


def main(argv: Sequence[str] | None = None) -> int:
    """Batch entry point (no GUI commands)."""
    parser = build_parser()
    args = parser.parse_args(database_option(list(sys.argv[1:] if argv is None else argv)))
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return run(args)
