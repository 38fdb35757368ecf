"""Writing comments and coaching feedback: who speaks, on what, and who may resolve.

A comment is a record owned by its author's site (``site_id`` = the author's site), so it
travels in that site's bundles and the coordinator's digests like everything else, and
only that site writes it — which is why a thread is resolved by the site that started it.

"Me" is the member this workspace speaks as: chosen once and remembered in the
workspace's own meta (``member_id``, never shared).  Once the workspace takes part in an
exchange it must be a member of this workspace's site; a standalone workspace (the
sample) may speak as anyone, and the comment then belongs to that member's site.

Coaching feedback is given by a member whose role is coach or facilitator; the record
belongs to the coach's site.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.authority import binds
from ...core.clock import Hlc
from ...core.mentions import find_mentions
from ..errors import InvalidChangeError, NotFoundError
from ..operations import OpChanges
from ..schema import Comment, Member, PdsaCycle, Site
from ..workspace import Workspace

#: roles that may give coaching feedback
COACH_ROLES = ("coach", "facilitator")
ME = "member_id"  # workspace meta key: the member this workspace speaks as


# ------------------------------------------------------------------ who I am
def eligible_members(ws: Workspace) -> list[tuple[str, str, str]]:
    """(id, name, site name) of the members this workspace may speak as: its own site's
    once it exchanges, anyone's in a standalone workspace; by name."""
    meta = ws.meta()
    local = meta.get("local_site_id") if binds(meta) else None
    with ws.read() as s:
        q = (select(Member, Site.name).join(Site, Site.id == Member.site_id)
             .where(Member.deleted.is_(False), Site.deleted.is_(False)))
        if local:
            q = q.where(Member.site_id == local)
        rows = [(m.id, m.name, site) for m, site in s.execute(q)]
    return sorted(rows, key=lambda r: (r[1].casefold(), r[2]))


def me(ws: Workspace) -> str | None:
    """The member this workspace speaks as, if one was chosen and may still be used."""
    chosen = ws.meta().get(ME) or None
    if chosen and any(m[0] == chosen for m in eligible_members(ws)):
        return chosen
    return None


def choose_me(ws: Workspace, member_id: str) -> None:
    """Remember the member this workspace speaks as (workspace meta, not shared)."""
    if not any(m[0] == member_id for m in eligible_members(ws)):
        raise InvalidChangeError(
            "That person cannot post from this workspace: choose a member of this "
            "workspace's site (add them under the site's members first).")
    ws.set_meta(**{ME: member_id})


def _author(s: Session, ws: Workspace, author_id: str | None) -> Member:
    if not author_id:
        if not eligible_members(ws):
            raise InvalidChangeError(
                "Nobody can post from this workspace yet: add a member to this site (the "
                "site's page, Members), then choose them under “Posting as”.")
        raise InvalidChangeError("Choose who is writing first (“Posting as”): comments "
                                 "name their author.")
    member = s.get(Member, author_id)
    if member is None or member.deleted:
        raise NotFoundError("The chosen author is no longer a member; choose another.")
    meta = ws.meta()
    if binds(meta) and member.site_id != meta.get("local_site_id"):
        raise InvalidChangeError(
            f"{member.name} is a member of another site: post as a member of this "
            "workspace's site, since only it signs what is written here.")
    return member


def _member_names(s: Session, network_id: str) -> dict[str, str]:
    q = (select(Member.id, Member.name).join(Site, Site.id == Member.site_id)
         .where(Member.deleted.is_(False), Site.network_id == network_id))
    return {mid: name for mid, name in s.execute(q)}


def posted_now(ws: Workspace) -> str:
    """The time of a new comment, in UTC, from the workspace's clock (the demo's fixed
    clock keeps the sample deterministic)."""
    wall = Hlc.decode(ws.clock.now_str()).wall_ms
    return dt.datetime.fromtimestamp(wall / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ comments
def post_comment(ws: Workspace, *, subject_kind: str, subject_id: str, text: str,
                 author_id: str | None = None, network_id: str | None = None,
                 point_period: dt.date | None = None, parent_id: str | None = None,
                 posted: str | None = None, chart_site_id: str | None = None
                 ) -> OpChanges:
    """Start a thread on a record (or reply to one, with `parent_id`: a reply discusses
    what its thread discusses).  Mentions are resolved here, so they name member ids."""
    if not text.strip():
        raise InvalidChangeError("Write something first: the comment is empty.")
    if point_period is not None and not parent_id and subject_kind != "measure":
        raise InvalidChangeError("A chart point belongs to a measure: comment on the "
                                 "measure's chart to name a point.")
    author_id = author_id or me(ws)
    with ws.read() as s:
        author = _author(s, ws, author_id)
        site = s.get(Site, author.site_id)
        if parent_id:
            parent = s.get(Comment, parent_id)
            if parent is None or parent.deleted:
                raise NotFoundError("The comment you reply to is gone (deleted at its "
                                    "site); start a new thread instead.")
            parent = thread_root(s, parent_id)  # replies hang on the thread's first comment
            parent_id, subject_kind, subject_id = parent.id, parent.subject_kind, \
                parent.subject_id
            point_period, network_id = parent.point_period, parent.network_id
            chart_site_id = parent.chart_site_id
        net = network_id or (site.network_id if site is not None else None)
        mentions = find_mentions(text, _member_names(s, net)) if net else []
    values: dict[str, Any] = dict(
        network_id=net, site_id=author.site_id, author_id=author.id,
        subject_kind=subject_kind, subject_id=subject_id, point_period=point_period,
        chart_site_id=chart_site_id if subject_kind == "measure" else None,
        parent_id=parent_id, text=text.strip(), mentions=mentions,
        posted=posted or posted_now(ws), resolved=False)
    label = "Reply to a comment" if parent_id else "Add a comment"
    return ws.ops.create("comment", label=label, **values)


def unmatched_mentions(ws: Workspace, comment_id: str) -> list[str]:
    """The "@words" in a stored comment that name no member of its network, as typed
    ("@Nobdy"), each once — so the writer is told that nobody was mentioned, rather
    than believing a colleague will see it in their Inbox.  An "@" inside a word (an
    e-mail address) is not a mention and is left alone."""
    with ws.read() as s:
        comment = s.get(Comment, comment_id)
        if comment is None or "@" not in comment.text:
            return []
        names = [n.casefold() for n in _member_names(s, comment.network_id).values()
                 if n.strip()]
    text = comment.text
    missing: list[str] = []
    for at, char in enumerate(text):
        if char != "@" or (at and not text[at - 1].isspace()):
            continue
        after = text[at + 1:].casefold()
        if any(after.startswith(n) and (len(after) == len(n) or not after[len(n)].isalnum())
               for n in names):
            continue
        word = "@" + (text[at + 1:].split() or [""])[0].rstrip(".,;:!?)")
        if word not in missing:
            missing.append(word)
    return missing


def thread_root(s: Session, comment_id: str) -> Comment:
    comment = s.get(Comment, comment_id)
    if comment is None:
        raise NotFoundError("That comment is not in this workspace.")
    seen = {comment.id}
    while comment.parent_id:
        parent = s.get(Comment, comment.parent_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        comment = parent
    return comment


def resolve_block(ws: Workspace, comment_id: str) -> str | None:
    """Why this workspace cannot mark the thread resolved (a sentence), or None."""
    with ws.read() as s:
        root = thread_root(s, comment_id)
        if ws.ops.write_block("comment", root.owner_site_id, {"resolved"}, session=s) is None:
            return None
        site = s.get(Site, root.site_id)
        name = site.name if site is not None else "the site that started it"
    return (f"This thread was started at {name}; only {name} can mark it resolved (its "
            "comments are theirs). Reply here to ask them.")


def set_resolved(ws: Workspace, comment_id: str, resolved: bool = True) -> OpChanges:
    """Mark a thread (its first comment) resolved or open again."""
    why = resolve_block(ws, comment_id)
    if why:
        raise InvalidChangeError(why)
    with ws.read() as s:
        root = thread_root(s, comment_id).id
    label = "Resolve a thread" if resolved else "Reopen a thread"
    return ws.ops.update("comment", root, label=label, resolved=resolved)


# ------------------------------------------------------------------ coaching feedback
FEEDBACK_FIELDS = ("strengths", "question", "suggestion", "next_step")


def feedback_block(ws: Workspace, author_id: str | None) -> str | None:
    """Why `author_id` may not give coaching feedback here (a sentence), or None."""
    if not author_id:
        return "Choose who is writing first (“Posting as”): feedback names its coach."
    with ws.read() as s:
        try:
            member = _author(s, ws, author_id)
        except (InvalidChangeError, NotFoundError) as e:
            return str(e)
        if member.role not in COACH_ROLES:
            role = member.role or "no role"
            return (f"{member.name} is a {role}, and only coaches and facilitators give "
                    "coaching feedback. Post as a coach (or give them that role on "
                    "their site's page), or leave a comment instead.")
    return None


def give_feedback(ws: Workspace, cycle_id: str, *, author_id: str | None = None,
                  given: dt.date | None = None, **texts: str) -> OpChanges:
    """Structured feedback on a PDSA cycle: what was strong, a question, a suggestion,
    a next step (at least one of them)."""
    unknown = set(texts) - set(FEEDBACK_FIELDS)
    if unknown:
        raise InvalidChangeError(f"Unknown feedback part: {', '.join(sorted(unknown))}.")
    author_id = author_id or me(ws)
    why = feedback_block(ws, author_id)
    if why:
        raise InvalidChangeError(why)
    texts = {k: v.strip() for k, v in texts.items() if v and v.strip()}
    if not texts:
        raise InvalidChangeError("Write at least one part of the feedback: what was "
                                 "strong, a question, a suggestion or a next step.")
    with ws.read() as s:
        cycle = s.get(PdsaCycle, cycle_id)
        if cycle is None or cycle.deleted:
            raise NotFoundError("That PDSA cycle is not in this workspace.")
        author = s.get(Member, author_id)
        assert author is not None  # feedback_block found it
        site_id = author.site_id
    given = given or dt.date.fromisoformat(posted_now(ws)[:10])
    return ws.ops.create("coaching_feedback", label="Give coaching feedback",
                         cycle_id=cycle_id, site_id=site_id, author_id=author_id,
                         given=given, **texts)
