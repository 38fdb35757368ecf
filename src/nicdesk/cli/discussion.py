"""Discussion commands (issue #22): read the threads, comment, reply, resolve.

    nicdesk comments WS [--unresolved] [--network N]       every thread, newest first
    nicdesk comment WS --on KIND NAME --text TEXT          start a thread on a record
                       [--site S] [--point YYYY-MM-DD] [--as MEMBER]
    nicdesk comment WS --reply-to ID --text TEXT           answer a thread
    nicdesk comment WS --resolve ID [--reopen]             mark a thread resolved

KIND is one of cycle, measure, driver, cause, meeting, site, change-idea, aim.  "Who
writes" is --as (a member's name), else the member chosen before (in the window's
"Posting as", or by --as once: it is remembered).  Each write is one operation through
`store.ops.discussion`, refused in words with nothing changed when it cannot be done
(another site's thread, a member of another site, an empty text)."""

from __future__ import annotations

import argparse
import datetime as dt

from ..core.safe_text import terminal_text as tt
from ..paths import workspace_target

KINDS = {"cycle": "pdsa_cycle", "pdsa": "pdsa_cycle", "measure": "measure",
         "driver": "driver_node", "cause": "cause", "meeting": "meeting", "site": "site",
         "change-idea": "change_idea", "idea": "change_idea", "aim": "aim"}


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("comments", help="the comment threads of a workspace, newest first")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--unresolved", action="store_true", help="only threads still open")
    p.add_argument("--network", help="network name, when the workspace holds several")
    p.set_defaults(func=cmd_comments)

    p = sub.add_parser("comment", help="comment on a record, reply to a thread, or "
                       "resolve one")
    p.add_argument("workspace", type=workspace_target)
    p.add_argument("--on", nargs=2, metavar=("KIND", "NAME"),
                   help="what the comment is about: KIND (" + ", ".join(KINDS) +
                   ") and the record's name")
    p.add_argument("--text", help="the comment; @Full Name mentions a member")
    p.add_argument("--site", help="with --on: the site whose record it is, when names "
                   "repeat across sites")
    p.add_argument("--point", type=_date, help="with --on measure: one point of its chart")
    p.add_argument("--reply-to", metavar="ID", help="answer the thread of this comment "
                   "(its id, or the first characters of it)")
    p.add_argument("--resolve", metavar="ID", help="mark this comment's thread resolved")
    p.add_argument("--reopen", action="store_true", help="with --resolve: open it again")
    p.add_argument("--as", dest="member", metavar="MEMBER",
                   help="who writes (a member's name; remembered for next time)")
    p.set_defaults(func=cmd_comment)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as 2026-03-01"
                                         ) from None


def _network(ws, name: str | None) -> str | None:  # type: ignore[no-untyped-def]
    """The id of the network named (by its start), or None for every network."""
    from ..services.workspaces import named_records, pick_named

    if not name:
        return None
    return pick_named(named_records(ws, "network"), name, "network", lambda r: r.name).id


def cmd_comments(args: argparse.Namespace) -> int:
    from ..store.views.discussion import all_threads
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        threads = all_threads(ws, network_id=_network(ws, args.network),
                              unresolved=args.unresolved)
    if not threads:
        print("No open threads." if args.unresolved else "No comments yet.")
        return 0
    for t in threads:
        state = "resolved" if t.resolved else "open"
        point = f" — point {t.point_period}" if t.point_period else ""
        print(f"{tt(t.subject.label)}{point} [{state}]")
        for i, c in enumerate(t.comments):
            lead = "  " if i == 0 else "    ↳ "
            print(f"{lead}{c.id[:8]} {tt(c.author)} ({tt(c.site)}) {c.posted}: "
                  f"{tt(' '.join(c.text.split()))}")
    return 0


def _comment_id(ws, prefix: str) -> str:  # type: ignore[no-untyped-def]
    from ..store.errors import NotFoundError
    from ..store.views.discussion import live_comments

    with ws.read() as s:
        ids = [c.id for c in live_comments(s) if c.id.startswith(prefix.strip())]
    if len(ids) != 1:
        raise NotFoundError(f"{'No' if not ids else 'More than one'} comment has an id "
                            f"starting {prefix!r}; see the ids with `nicdesk comments`.")
    return ids[0]


def _member(ws, name: str) -> str:  # type: ignore[no-untyped-def]
    """The id of the member `name` names; remembered as "me" by the caller only once the
    change is saved, so a refused command leaves the workspace as it was."""
    from ..store.errors import NotFoundError
    from ..store.ops.discussion import eligible_members

    people = eligible_members(ws)
    want = name.casefold().strip()
    found = [m for m in people if m[1].casefold() == want] or [
        m for m in people if m[1].casefold().startswith(want + " ")] or [
        m for m in people if m[1].casefold().startswith(want)]
    if len(found) != 1:
        names = ", ".join(m[1] for m in people[:20]) or "nobody yet (add members first)"
        if len(people) > 20:
            names += f" and {len(people) - 20} more"
        raise NotFoundError(f"{'No' if not found else 'More than one'} member who may write "
                            f"here matches {name!r}. Choose one of: {names}.")
    return found[0][0]


def cmd_comment(args: argparse.Namespace) -> int:
    from ..store.errors import InvalidChangeError
    from ..store.ops import discussion as ops
    from ..store.views.discussion import find_subject
    from ..store.workspace import Workspace

    if args.reopen and not args.resolve:
        raise InvalidChangeError("--reopen goes with --resolve ID: say which thread to "
                                 "open again.")
    chosen = [x for x in (args.on, args.reply_to, args.resolve) if x]
    if len(chosen) != 1:
        raise InvalidChangeError("Say what to do: --on KIND NAME (a new thread), "
                                 "--reply-to ID or --resolve ID — one of them.")
    if args.resolve and args.text:
        raise InvalidChangeError("--resolve takes no --text: resolve the thread, then "
                                 "answer it with --reply-to ID --text \"…\".")
    with Workspace.open(args.workspace) as ws:
        author = _member(ws, args.member) if args.member else None
        if args.resolve:
            ops.set_resolved(ws, _comment_id(ws, args.resolve), not args.reopen)
            if author:
                ops.choose_me(ws, author)
            print("Thread reopened." if args.reopen else "Thread resolved.")
            return 0
        if not args.text:
            raise InvalidChangeError("Write the comment with --text \"…\".")
        if args.reply_to:
            done = ops.post_comment(ws, subject_kind="", subject_id="", text=args.text,
                                    author_id=author, parent_id=_comment_id(ws, args.reply_to))
        else:
            kind_word, name = args.on
            kind = KINDS.get(kind_word.casefold())
            if kind is None:
                raise InvalidChangeError(f"{kind_word!r} is not something to comment on: "
                                         "use one of " + ", ".join(KINDS) + ".")
            if args.point and kind != "measure":
                raise InvalidChangeError("--point is for a measure's chart: use it with "
                                         "--on measure NAME.")
            subject = find_subject(ws, kind, name, site=args.site)
            done = ops.post_comment(ws, subject_kind=kind, subject_id=subject.id,
                                    text=args.text, author_id=author,
                                    point_period=args.point)
        if author:
            ops.choose_me(ws, author)
        print(f"Comment {done.id[:8]} saved.")
        for word in ops.unmatched_mentions(ws, done.id):
            print(f"Note: {word} names no member of this network, so nobody was told; "
                  "write the member's full name after @ (reply to correct it).")
    return 0
