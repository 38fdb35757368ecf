"""Exchange commands: `export` (a signed bundle or digest), `verify` (a bundle's signature
and files, without importing), `import` (bundles, one by one: a refusal never stops the
rest) and `dump` (every shared record as canonical JSON) — the flows of
`services.exchange`, with their words here."""

from __future__ import annotations

import argparse
import sys

from ..core.safe_text import terminal_text
from ..core.states import BundleKind


def cmd_export(args: argparse.Namespace) -> int:
    from ..services.exchange import export
    from ..services.workspaces import find_named
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        for_site = find_named(ws, "site", args.for_site, "site").id if args.for_site else None
        result = export(ws, args.out, kind=BundleKind.DIGEST if args.digest else BundleKind.SITE,
                        passphrase=args.passphrase, for_site=for_site,
                        full=getattr(args, "full", False))
    total = sum(result.counts.values())
    if result.base is None:
        print(f"Bundle {result.sequence} written to {result.path}: {total} records")
    else:
        print(f"Bundle {result.sequence} written to {result.path}: {total} records changed "
              f"since bundle {result.base} (a delta; the coordinator confirmed it has bundle "
              f"{result.base} — `--full` writes everything)")
    for kind, n in result.counts.items():
        print(f"  {kind:20} {n}")
    for table, ids in result.suppressed.items():
        print(f"  {len(ids)} {table} travel as “suppressed” (small counts: their values stay "
              "with the site that owns them)")
    if result.rotated_to:
        print(f"This digest announces the new coordinator key {result.rotated_to}; the "
              "next ones are signed with it.")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check a bundle without importing it; every refusal is one line on stderr."""
    from ..services.exchange import verify
    from ..store.errors import WorkspaceError

    try:
        done = verify(args.bundle, args.key)
    except WorkspaceError as exc:  # the bundle's or the key file's: one sentence
        print(exc.message, file=sys.stderr)
        return 1
    m = done.manifest
    if done.checked:
        state = "signature and files verified"
    else:
        state = ("signature NOT checked, nor the files inside (give --key SITE.pub to check "
                 "them)")
    scope = f" (changes since bundle {done.base} only)" if done.base is not None else ""
    print(terminal_text(f"{args.bundle.name}: {m['kind']} bundle, network {m['network_id']}, "
                        f"site {m['site_id']}, signer {m['signer']}, sequence "
                        f"{m['sequence']}{scope}, created {m['created']} — {state}"))
    for name, info in sorted(m["files"].items()):
        print(f"  {name:36} {info['records']:>8} records {info['bytes']:>12,} bytes")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..services.exchange import import_many
    from ..store.workspace import Workspace

    refused = 0
    with Workspace.open(args.workspace) as ws:
        # together in one transaction; after a refusal, one by one (so it goes on)
        outcomes = import_many(ws, list(args.bundles))
        for i, outcome in enumerate(outcomes, start=1):
            line = f"[{i}/{len(args.bundles)}] {terminal_text(outcome.message)}"
            if outcome.refused:
                refused += 1
                print(line, file=sys.stderr)
            else:
                print(line)
    if refused:
        print(f"{refused} of {len(args.bundles)} bundles refused.", file=sys.stderr)
    return 1 if refused else 0


def cmd_dump(args: argparse.Namespace) -> int:
    from ..services.exchange import dump_records, dumps
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        text = dumps(dump_records(ws))
    # on a terminal, a name's bidi override must not reorder the screen; piped, it is data
    print(terminal_text(text, newlines=True) if sys.stdout.isatty() else text)
    return 0
