"""Membership commands: this computer's signing key (`keys init|show|export-public`), the
network's membership (`network enroll|request-join|create|invite|trust-coordinator|
rotate-key`) and `join` — each one flow of `services.membership`, with its words here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.safe_text import terminal_text


def cmd_keys_init(args: argparse.Namespace) -> int:
    from ..services.membership import init_key
    from ..services.workspaces import find_named
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        site = find_named(ws, "site", args.site, "site") if args.site else None
        pair = init_key(ws, site.id if site is not None else None,
                        coordinator=args.coordinator, passphrase=args.passphrase)
    print(f"Key {pair.public.key_id_hex} created; fingerprint {pair.public.fingerprint()}")
    if not args.coordinator:
        print("The coordinator enrols it: send them the public key ('nicdesk keys "
              "export-public') or a join request ('nicdesk network request-join').")
    return 0


def cmd_keys_show(args: argparse.Namespace) -> int:
    from ..services.membership import workspace_key
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        key = workspace_key(ws)
    print(f"key {key.key_id_hex}\nfingerprint {key.fingerprint()}")
    return 0


def cmd_keys_export(args: argparse.Namespace) -> int:
    from ..services.membership import workspace_key
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        key = workspace_key(ws)
    args.out.write_text(key.file_text())
    print(f"Public key written to {args.out} (fingerprint {key.fingerprint()})")
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    from ..services import membership
    from ..store.workspace import Workspace

    try:
        sent = membership.read_site_key(args.pubkey)
    except membership.KeyFileError as exc:
        print(f"{args.pubkey} is neither a join request nor a minisign public key: "
              f"{exc.message}", file=sys.stderr)
        return 2
    if isinstance(sent, membership.JoinRequest):
        contact = f" ({terminal_text(sent.contact)})" if sent.contact else ""
        print(f"Join request from {terminal_text(sent.site_name)}{contact}, written "
              f"{terminal_text(sent.created)}.")
    elif not args.site:
        print("Say which site the key is for: --site NAME (with --new to add it).",
              file=sys.stderr)
        return 2
    with Workspace.open(args.workspace) as ws:
        done = membership.enrol(ws, sent, args.site, new=args.new)
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
    from ..services.membership import KeyFileError, read_public_key, trust_coordinator
    from ..store.workspace import Workspace

    try:
        key = read_public_key(args.pubkey)
    except KeyFileError as exc:
        print(f"{args.pubkey} is not a minisign public key: {exc.message}", file=sys.stderr)
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
    from ..services.membership import invite
    from ..services.workspaces import find_named
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        site = find_named(ws, "site", args.site, "site")
        done = invite(ws, site.id, args.out)
    print(f"Invitation for {terminal_text(site.name)} written to {args.out}. Tell them the "
          f"coordinator fingerprint: {done.coordinator_fingerprint}")
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    import contextlib

    from ..bundle.reader import BundleError
    from ..services.membership import join, workspace_key
    from ..store.workspace import Workspace

    with contextlib.ExitStack() as stack:
        bring = stack.enter_context(Workspace.open(args.bring)) if args.bring else None
        key = None
        if args.key_from is not None:
            if bring is not None and Path(args.key_from).resolve() == bring.path.resolve():
                key = workspace_key(bring)
            else:
                with Workspace.open(args.key_from) as old:
                    key = workspace_key(old)
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


def cmd_rotate_key(args: argparse.Namespace) -> int:
    from ..bundle.export import rotate_key
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        key = rotate_key(ws, args.passphrase)
    print(f"New coordinator key {key.key_id_hex} (fingerprint {key.fingerprint()}). The next "
          "digest is signed with the current key and tells every site to trust the new one; "
          "after it, digests are signed with the new key.")
    return 0
