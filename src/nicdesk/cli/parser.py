"""Command line: the batch jobs (demo, info, tree, show) on the same operations and queries
the GUI uses.  GUI commands (`open`, `screenshot`) are added by `nicdesk.main`, because this
module must not import Qt."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..core.safe_text import terminal_text
from ..paths import workspace_target
from ..store.errors import WorkspaceError


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
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("new", help="create an empty workspace with one network")
    p.add_argument("path", type=Path)
    p.add_argument("--network", default="New network", help="the network's name")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("info", help="what a workspace holds: schema, records per kind")
    p.add_argument("workspace", type=workspace_target)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("tree", help="print the navigator tree")
    p.add_argument("workspace", type=workspace_target)
    p.set_defaults(func=cmd_tree)

    p = sub.add_parser("import-csv", help="import a measure's data for one site from CSV")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("file", type=Path, help="CSV: date,value or date,numerator,denominator[,note]")
    p.add_argument("--measure", required=True, help="the measure's name")
    p.add_argument("--site", required=True, help="the site's name")
    p.add_argument("--replace", action="store_true",
                   help="replace values already stored for the same periods (default: skip)")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="import the good rows and leave out rows with problems")
    p.add_argument("--dry-run", action="store_true", help="only show the preview")
    p.set_defaults(func=cmd_import_csv)

    p = sub.add_parser("chart", help="a measure's run-chart signals at one site, in words")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--measure", required=True)
    p.add_argument("--site", required=True)
    p.set_defaults(func=cmd_chart)

    p = sub.add_parser("diagram", help="list diagrams, or export one as PDF, SVG or PNG")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("name", nargs="?", help="the diagram's name (or its start)")
    p.add_argument("--list", action="store_true", help="every diagram, tab-separated")
    p.add_argument("--site", help="the site, when several diagrams share a name")
    p.add_argument("--out", type=Path, help="FILE.pdf, FILE.svg or FILE.png")
    p.set_defaults(func=cmd_diagram)

    p = sub.add_parser("pdsa", help="list PDSA cycles, or print one as a one-page PDF")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("title", nargs="?", help="the cycle's title (or its start)")
    p.add_argument("--site", help="the site, when several cycles share a title")
    p.add_argument("--out", type=Path, help="FILE.pdf")
    p.set_defaults(func=cmd_pdsa)

    # ---- keys, network membership and bundles
    keys_p = sub.add_parser("keys", help="this computer's signing key for a workspace")
    keys_sub = keys_p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    p = keys_sub.add_parser("init", help="create a signing key and say which site this is")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--site", help="the site this workspace speaks for")
    p.add_argument("--coordinator", action="store_true",
                   help="this is the coordinator's workspace (signs digests)")
    p.add_argument("--passphrase", help="protect the private key with a passphrase")
    p.set_defaults(func=cmd_keys_init)
    p = keys_sub.add_parser("show", help="key id and fingerprint")
    p.add_argument("workspace", type=workspace_target)
    p.set_defaults(func=cmd_keys_show)
    p = keys_sub.add_parser("export-public", help="write the public key (minisign .pub)")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_keys_export)

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
    p.set_defaults(func=cmd_enroll)
    p = net_sub.add_parser("request-join", help="school: this computer's key and a join "
                           "request file for the coordinator")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--out", type=Path, required=True, help="the request file (.nicjoin)")
    p.add_argument("--site", help="the school's name (default: this workspace's site)")
    p.add_argument("--contact", default="", help="who to call back (name, e-mail)")
    p.add_argument("--passphrase", help="protect the new private key with a passphrase")
    p.set_defaults(func=cmd_request_join)
    p = net_sub.add_parser("create", help="coordinator: a new network workspace with its key")
    p.add_argument("path", type=Path)
    p.add_argument("--name", required=True, help="the network's name")
    p.add_argument("--coordinator-site", default="Network hub",
                   help="the coordinating organisation (a site of the network)")
    p.add_argument("--passphrase")
    p.set_defaults(func=cmd_network_create)
    p = net_sub.add_parser("invite", help="coordinator: an invitation bundle for one site")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--site", required=True)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_invite)
    p = net_sub.add_parser("trust-coordinator", help="accept the coordinator's public key")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("pubkey", type=Path)
    p.set_defaults(func=cmd_trust)
    p = net_sub.add_parser("rotate-key", help="coordinator: a new key, announced by the next "
                           "digest (signed with the current one)")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--passphrase", help="protect the new private key with a passphrase")
    p.set_defaults(func=cmd_rotate_key)

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
    p.set_defaults(func=cmd_join)

    p = sub.add_parser("export", help="write a signed bundle of this site's records")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--digest", action="store_true", help="coordinator: all sites' records")
    p.add_argument("--for-site", metavar="SITE",
                   help="with --digest: a digest for this site alone, keeping its own small "
                   "counts (for its other computers)")
    p.add_argument("--passphrase")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("verify", help="check a bundle's signature and files")
    p.add_argument("bundle", type=Path)
    p.add_argument("--key", type=Path, help="the signer's public key (.pub); without it "
                   "only the manifest is read and the signature is not checked")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("import", help="verify and merge bundles into a workspace")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("bundles", type=Path, nargs="+")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("dump", help="every shared record as canonical JSON")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--json", action="store_true", help="(the only format)")
    p.set_defaults(func=cmd_dump)

    from .network_views import add_commands

    add_commands(sub)

    p = sub.add_parser("show", help="print one navigator item, e.g. 'Lincoln/Measures/9th'")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("select", help="path in the navigator (segments separated by /)")
    p.set_defaults(func=cmd_show)
    return parser


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
    from ..store.workspace import Workspace

    with Workspace.create(args.path) as ws:
        ws.ops.create("network", name=args.network)
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


def _find(session, model, name: str, what: str):  # noqa: ANN001, ANN202
    from sqlalchemy import select

    rows = list(session.scalars(select(model).where(model.deleted.is_(False))))
    exact = [r for r in rows if r.name.lower() == name.lower()]
    matches = exact or [r for r in rows if r.name.lower().startswith(name.lower())]
    if len(matches) != 1:
        from ..store.errors import NotFoundError

        names = ", ".join(sorted(r.name for r in (matches or rows)))[:400]
        raise NotFoundError(f"{'No' if not matches else 'More than one'} {what} matches "
                            f"{name!r}. Choose one of: {names}")
    return matches[0]


def cmd_import_csv(args: argparse.Namespace) -> int:
    from ..store.ops.csv_import import import_csv, preview_csv
    from ..store.schema import Measure, Site
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        with ws.read() as s:
            measure = _find(s, Measure, args.measure, "measure")
            site = _find(s, Site, args.site, "site")
        preview = preview_csv(ws, measure.id, site.id, args.file)
        parsed = preview.parsed
        print(f"{terminal_text(args.file.name)}: {len(parsed.rows)} rows, "
              f"{len(parsed.good)} good, {len(parsed.bad)} with problems, "
              f"{len(preview.duplicates())} already stored")
        for note in parsed.notes:  # notes and the report quote the file's cells
            print(f"  note: {terminal_text(note)}")
        if args.dry_run:
            if preview.report():
                print(terminal_text(preview.report(), newlines=True))
            return 0 if parsed.ok else 1
        result = import_csv(ws, measure.id, site.id, args.file,
                            duplicates="replace" if args.replace else "skip",
                            skip_bad_rows=args.skip_bad_rows)
        print(f"Imported {result.added} new values, replaced {result.replaced}, skipped "
              f"{result.skipped_duplicates} already stored and {result.skipped_bad} bad rows.")
    return 0


def cmd_chart(args: argparse.Namespace) -> int:
    from ..store.schema import Measure, Site
    from ..store.views.series import load_series
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws, ws.read() as s:
        measure = _find(s, Measure, args.measure, "measure")
        site = _find(s, Site, args.site, "site")
        series = load_series(s, measure.id, site.id)
        analysis = series.analysis
        print(f"{terminal_text(measure.name)} at {terminal_text(site.name)}: "
              f"{len(series.points)} points, {analysis.chart_kind} chart, judged by "
              f"{terminal_text(analysis.rule_set)}")
        for line in analysis.summary():
            print(f"  {terminal_text(line)}")
        if analysis.suggest_rebase:
            print(f"  A sustained shift suggests a new phase from {analysis.suggest_rebase}; "
                  "add one with a written reason if the process has changed.")
    return 0


def find_diagram(session, name: str, site: str | None = None):  # noqa: ANN001, ANN201
    """The one diagram (driver or fishbone) whose name or its start matches, else a clear
    error.  Returns (kind, site, name, node count, id)."""
    from ..store.errors import NotFoundError
    from ..store.ops.diagrams import all_diagrams

    rows = [r for r in all_diagrams(session)
            if site is None or r[1].lower().startswith(site.lower())]
    exact = [r for r in rows if r[2].lower() == name.lower()]
    matches = exact or [r for r in rows if r[2].lower().startswith(name.lower())]
    if len(matches) != 1:
        listing = "; ".join(f"{r[2]} ({r[1]})" for r in (matches or rows))
        raise NotFoundError(f"{'No' if not matches else 'More than one'} diagram "
                            f"matches {name!r}" + (f" — choose with --site: {listing}"
                                                   if matches else f". Diagrams: {listing}"))
    return matches[0]


def diagram_drawing(session, row):  # noqa: ANN001, ANN201
    """The reportlab drawing of a diagram row from `find_diagram` (driver or fishbone)."""
    from ..report.drawings import driver_drawing, fishbone_drawing
    from ..store.ops.diagrams import load_diagram
    from ..store.ops.fishbones import load_fishbone

    if row[0] == "fishbone":
        fish = load_fishbone(session, row[4])
        return fishbone_drawing(fish.layout, fish.fishbone.title or "Fishbone")
    data = load_diagram(session, row[4])
    return driver_drawing(data.layout, {i: n.status for i, n in data.nodes.items()},
                          data.diagram.name)


def cmd_diagram(args: argparse.Namespace) -> int:
    from ..store.ops.diagrams import all_diagrams
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws, ws.read() as s:
        if args.list or not args.name:
            for kind, site, name, count, _id in all_diagrams(s):
                print(f"{kind}\t{terminal_text(site)}\t{terminal_text(name)}\t{count}")
            return 0
        row = find_diagram(s, args.name, args.site)
        if args.out is None:
            print("Say where to write it: --out FILE.pdf, FILE.svg or FILE.png", file=sys.stderr)
            return 2
        from ..report.drawings import save_drawing

        drawing = diagram_drawing(s, row)
        try:
            save_drawing(drawing, args.out)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        print(f"Diagram written to {terminal_text(args.out)}")
    return 0


def cmd_pdsa(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from ..report.pdsa import write_pdsa_summary
    from ..store.ops.pdsa import cycle_rows
    from ..store.schema import ChangeIdea, PdsaCycle, PdsaQuestion, Site
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws, ws.read() as s:
        rows = [r for r in cycle_rows(s)
                if args.site is None or r.site.lower().startswith(args.site.lower())]
        if not args.title:
            for r in rows:
                print("\t".join(terminal_text(x) for x in (r.site, r.title, r.stage,
                                                           r.decision or "-"))
                      + ("\toverdue" if r.overdue else ""))
            return 0
        matches = [r for r in rows if r.title.lower() == args.title.lower()] or [
            r for r in rows if r.title.lower().startswith(args.title.lower())]
        if len(matches) != 1:
            print(f"{len(matches) or 'No'} cycles match {args.title!r}; add --site or more of "
                  "the title.", file=sys.stderr)
            return 2
        if args.out is None:
            print("Say where to write it: --out FILE.pdf", file=sys.stderr)
            return 2
        cycle = s.get(PdsaCycle, matches[0].id)
        questions = list(s.scalars(select(PdsaQuestion).where(
            PdsaQuestion.cycle_id == cycle.id, PdsaQuestion.deleted.is_(False)).order_by(
            PdsaQuestion.position)))
        idea = s.get(ChangeIdea, cycle.change_idea_id) if cycle.change_idea_id else None
        write_pdsa_summary(args.out, cycle, questions, idea.title if idea else "",
                           s.get(Site, cycle.site_id).name)
        print(f"PDSA summary written to {terminal_text(args.out)}")
    return 0


def cmd_keys_init(args: argparse.Namespace) -> int:
    from ..services.membership import init_key
    from ..store.schema import Site
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        with ws.read() as s:
            site = _find(s, Site, args.site, "site") if args.site else None
        pair = init_key(ws, site.id if site is not None else None,
                        coordinator=args.coordinator, passphrase=args.passphrase)
    print(f"Key {pair.public.key_id_hex} created; fingerprint {pair.public.fingerprint()}")
    if not args.coordinator:
        print("The coordinator enrols it: send them the public key ('nicdesk keys "
              "export-public') or a join request ('nicdesk network request-join').")
    return 0


def _workspace_key(ws):  # noqa: ANN001, ANN202
    from ..bundle.keys import KeyError_, workspace_public_key
    from ..store.errors import NotFoundError

    try:
        return workspace_public_key(ws.meta())
    except KeyError_ as exc:
        raise NotFoundError(str(exc)) from exc


def cmd_keys_show(args: argparse.Namespace) -> int:
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        key = _workspace_key(ws)
    print(f"key {key.key_id_hex}\nfingerprint {key.fingerprint()}")
    return 0


def cmd_keys_export(args: argparse.Namespace) -> int:
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        key = _workspace_key(ws)
    args.out.write_text(key.file_text())
    print(f"Public key written to {args.out} (fingerprint {key.fingerprint()})")
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    from ..bundle.minisign import SignatureError, parse_public_key
    from ..services import membership
    from ..store.workspace import Workspace

    kind = "school"
    if membership.is_join_request(args.pubkey):
        request = membership.read_join_request(args.pubkey)
        key, site, kind = request.key, args.site or request.site_name, request.site_kind
        contact = f" ({terminal_text(request.contact)})" if request.contact else ""
        print(f"Join request from {terminal_text(request.site_name)}{contact}, written "
              f"{terminal_text(request.created)}.")
    else:
        try:
            key = parse_public_key(args.pubkey.read_text())
        except (OSError, UnicodeDecodeError, SignatureError) as exc:
            print(f"{args.pubkey} is neither a join request nor a minisign public key: {exc}",
                  file=sys.stderr)
            return 2
        if not args.site:
            print("Say which site the key is for: --site NAME (with --new to add it).",
                  file=sys.stderr)
            return 2
        site = args.site
    with Workspace.open(args.workspace) as ws:
        done = membership.enrol_key(ws, key, site, new=args.new, kind=kind)
    print(f"{terminal_text(done.text())} Compare the fingerprint with the one the site reads "
          "to you; then send the invitation: nicdesk network invite WORKSPACE --site "
          f"\"{terminal_text(done.site_name)}\" --out INVITE.nicbundle")
    return 0


def cmd_request_join(args: argparse.Namespace) -> int:
    from ..services.membership import write_join_request
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        request = write_join_request(ws, args.out, args.site, args.passphrase, args.contact)
    print(f"Join request for {terminal_text(request.site_name)} written to {args.out}. Send "
          "it to the network coordinator and read them this fingerprint when they call: "
          f"{request.fingerprint}")
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from ..bundle.minisign import SignatureError, parse_public_key
    from ..services.membership import trust_coordinator
    from ..store.workspace import Workspace

    try:
        key = parse_public_key(args.pubkey.read_text())
    except (OSError, UnicodeDecodeError, SignatureError) as exc:
        print(f"{args.pubkey} is not a minisign public key: {exc}", file=sys.stderr)
        return 2
    with Workspace.open(args.workspace) as ws:
        trust_coordinator(ws, key)
    print(f"Trusting coordinator key {key.key_id_hex} (fingerprint {key.fingerprint()}).")
    return 0


def cmd_network_create(args: argparse.Namespace) -> int:
    from ..services.membership import create_network

    pair = create_network(args.path, args.name, args.coordinator_site, args.passphrase)
    print(f"Key {pair.public.key_id_hex} created; fingerprint {pair.public.fingerprint()}")
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    from ..bundle.export import export_bundle
    from ..store.schema import Site
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        with ws.read() as s:
            site = _find(s, Site, args.site, "site")
        export_bundle(ws, args.out, kind="invitation", invite_site=site.id)
        key = _workspace_key(ws)
    print(f"Invitation for {terminal_text(site.name)} written to {args.out}. Tell them the coordinator "
          f"fingerprint: {key.fingerprint()}")
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    import contextlib

    from ..bundle.importer import BundleError
    from ..services.membership import join
    from ..store.workspace import Workspace

    with contextlib.ExitStack() as stack:
        bring = stack.enter_context(Workspace.open(args.bring)) if args.bring else None
        key = None
        if args.key_from is not None:
            if bring is not None and Path(args.key_from).resolve() == bring.path.resolve():
                key = _workspace_key(bring)
            else:
                with Workspace.open(args.key_from) as old:
                    key = _workspace_key(old)
        try:
            joined = join(args.invitation, args.out, args.passphrase, key=key, bring=bring)
        except BundleError as exc:
            print(exc.message, file=sys.stderr)
            return 2
    pub = args.pub or args.out.with_suffix(".pub")
    pub.write_text(joined.site_key.file_text())
    print(f"Joined as {terminal_text(joined.site)}: workspace {joined.path}.\n"
          f"Coordinator fingerprint {joined.coordinator_fingerprint} — compare it with the "
          "coordinator's.")
    if joined.enrolled:
        print(f"This computer's key {joined.site_key.key_id_hex} is already enrolled (your "
              f"fingerprint {joined.site_key.fingerprint()}): you can export right away.")
    else:
        print(f"Send {pub} to the coordinator (your fingerprint "
              f"{joined.site_key.fingerprint()}).")
    if joined.brought is not None:
        print(terminal_text(joined.brought.text()))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ..bundle.export import export_bundle
    from ..store.schema import Site
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        for_site = None
        if args.for_site:
            with ws.read() as s:
                for_site = _find(s, Site, args.for_site, "site").id
        result = export_bundle(ws, args.out, kind="digest" if args.digest else "site",
                               passphrase=args.passphrase, for_site=for_site)
    total = sum(result.counts.values())
    print(f"Bundle {result.sequence} written to {result.path}: {total} records")
    for kind, n in result.counts.items():
        print(f"  {kind:20} {n}")
    for table, ids in result.suppressed.items():
        print(f"  {len(ids)} {table} travel as “suppressed” (small counts: their values stay "
              "with the site that owns them)")
    if result.rotated_to:
        print(f"This digest announces the new coordinator key {result.rotated_to}; the "
              "next ones are signed with it.")
    return 0


def cmd_rotate_key(args: argparse.Namespace) -> int:
    from ..bundle.export import rotate_key
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        key = rotate_key(ws, args.passphrase)
    print(f"New coordinator key {key.key_id_hex} (fingerprint {key.fingerprint()}). The next "
          "digest is signed with the current key and tells every site to trust the new one; "
          "after it, digests are signed with the new key.")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check a bundle without importing it; every refusal is one line on stderr."""
    from ..bundle.importer import BundleError, read_bundle, verify_bundle
    from ..bundle.minisign import SignatureError, parse_public_key

    try:
        bundle = read_bundle(args.bundle)
    except BundleError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    m = bundle.manifest
    if args.key:
        try:
            with args.key.open("rb") as f:
                text = f.read(64 * 1024).decode("utf-8")
            key = parse_public_key(text)
        except OSError as exc:
            print(f"The key file {args.key} cannot be read ({exc.strerror or exc}); nothing "
                  "was checked.", file=sys.stderr)
            return 1
        except (SignatureError, ValueError):  # ValueError: not UTF-8 text either
            print(f"{args.key} is not a minisign public key (a .pub file from 'nicdesk keys "
                  "export-public'); nothing was checked.", file=sys.stderr)
            return 1
        try:
            verify_bundle(bundle, key)
        except BundleError as exc:
            print(exc.message, file=sys.stderr)
            return 1
        state = "signature and files verified"
    else:
        state = ("signature NOT checked, nor the files inside (give --key SITE.pub to check "
                 "them)")
    print(terminal_text(f"{args.bundle.name}: {m['kind']} bundle, network {m['network_id']}, "
                        f"site {m['site_id']}, signer {m['signer']}, sequence "
                        f"{m['sequence']}, created {m['created']} — {state}"))
    for name, info in sorted(m["files"].items()):
        print(f"  {name:36} {info['records']:>8} records {info['bytes']:>12,} bytes")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..bundle.importer import BundleError, import_bundle
    from ..store.workspace import Workspace

    refused = 0
    with Workspace.open(args.workspace) as ws:
        for i, path in enumerate(args.bundles, start=1):
            try:
                summary = import_bundle(ws, path)
                print(f"[{i}/{len(args.bundles)}] {terminal_text(summary.text())}")
            except BundleError as exc:
                refused += 1
                print(f"[{i}/{len(args.bundles)}] {terminal_text(exc.message)}",
                      file=sys.stderr)
            except Exception as exc:  # noqa: BLE001 - one bad bundle never stops the rest
                refused += 1
                print(f"[{i}/{len(args.bundles)}] {Path(path).name} was not imported: an "
                      f"unexpected problem ({type(exc).__name__}); nothing was changed. "
                      "Please report it with the file.", file=sys.stderr)
    if refused:
        print(f"{refused} of {len(args.bundles)} bundles refused.", file=sys.stderr)
    return 1 if refused else 0


def cmd_dump(args: argparse.Namespace) -> int:
    import json

    from sqlalchemy import select

    from ..bundle.format import ORDER, to_json
    from ..store.schema import MODELS
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws, ws.read() as s:
        out = {kind: sorted((to_json(kind, r) for r in s.scalars(select(MODELS[kind]))),
                            key=lambda r: r["id"]) for kind in ORDER}
    text = json.dumps(out, sort_keys=True, indent=1, ensure_ascii=False)
    # on a terminal, a name's bidi override must not reorder the screen; piped, it is data
    print(terminal_text(text, newlines=True) if sys.stdout.isatty() else text)
    return 0


def print_warning(text: str) -> None:
    """`Workspace.warning_hook` while a command runs: each warning at open (a -wal set
    aside, say) one line on stderr.  A warning that cannot be printed does not stop the
    command."""
    try:
        print(f"Warning: {terminal_text(text)}", file=sys.stderr)
    except (OSError, ValueError):  # stderr closed, or gone with its pipe
        pass


def run(args: argparse.Namespace) -> int:
    # every command opens its workspace itself (and the GUI commands import this module
    # before their window shows anyway): one hook here tells the person of each warning
    from ..store.workspace import Workspace

    previous, Workspace.warning_hook = Workspace.warning_hook, print_warning
    try:
        return int(args.func(args))
    except WorkspaceError as exc:
        print(f"{exc.title}: {terminal_text(exc.message)}", file=sys.stderr)
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
