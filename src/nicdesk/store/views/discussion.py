"""Comment threads read for a screen or the command line: plain frozen rows.

A thread is a first comment and its replies (oldest first).  Each comment says who wrote
it, at which site, when, whom it mentions, and whether this workspace may write it — only
its author's site may, so a thread started elsewhere is resolved there.  A comment whose
record has not arrived (or was deleted) is still listed: its subject reads "not in this
workspace" and leads nowhere, rather than failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..schema import (
    Aim,
    Cause,
    ChangeIdea,
    Comment,
    DriverDiagram,
    DriverNode,
    Fishbone,
    Measure,
    Meeting,
    Member,
    PdsaCycle,
    Site,
)

if TYPE_CHECKING:
    from ..workspace import Workspace

SUBJECT_WORDS = {"pdsa_cycle": "PDSA cycle", "measure": "Measure", "driver_node":
                 "Driver", "cause": "Cause", "meeting": "Meeting", "site": "Site",
                 "change_idea": "Change idea", "aim": "Aim"}


@dataclass(frozen=True)
class Target:
    """Where a subject is shown: a navigator item (kind, id, site)."""

    kind: str
    id: str
    site_id: str | None


@dataclass(frozen=True)
class Subject:
    """What a thread discusses, in words, and where it is shown (None: not here)."""

    kind: str
    id: str
    label: str
    target: Target | None

    @property
    def present(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class CommentRow:
    id: str
    author: str  # a name, or "someone" when the member has not arrived
    author_id: str | None
    site: str
    site_id: str
    posted: str
    text: str
    mentions: tuple[str, ...]  # names
    mention_ids: tuple[str, ...]
    resolved: bool
    mine: bool  # written by this workspace's site (it may change it)


@dataclass(frozen=True)
class Thread:
    root: CommentRow
    replies: tuple[CommentRow, ...]
    subject: Subject
    point_period: dt.date | None
    chart_site_id: str | None = None  # a measure's: the site whose chart it is about

    @property
    def resolved(self) -> bool:
        return self.root.resolved

    @property
    def comments(self) -> tuple[CommentRow, ...]:
        return (self.root, *self.replies)

    @property
    def latest(self) -> str:
        return max(c.posted for c in self.comments)


def _label(text: str, width: int = 70) -> str:
    text = " ".join((text or "").split()) or "(untitled)"
    return text if len(text) <= width else text[: width - 1] + "…"


def subject_of(s: Session, kind: str, record_id: str, *,
               site_hint: str | None = None) -> Subject:
    """The record a thread discusses, its words and its navigator item."""
    word = SUBJECT_WORDS.get(kind, kind)

    def missing() -> Subject:
        return Subject(kind, record_id, f"{word} not in this workspace (it has not "
                       "arrived, or was deleted)", None)

    model: Any = {"pdsa_cycle": PdsaCycle, "measure": Measure, "driver_node": DriverNode,
                  "cause": Cause, "meeting": Meeting, "site": Site, "change_idea": ChangeIdea,
                  "aim": Aim}.get(kind)
    row = s.get(model, record_id) if model is not None else None
    if row is None or row.deleted:
        return missing()
    if kind == "pdsa_cycle":
        return Subject(kind, row.id, f"{word}: {_label(row.title)}",
                       Target("pdsa_cycle", row.id, row.site_id))
    if kind == "measure":
        return Subject(kind, row.id, f"{word}: {_label(row.name)}",
                       Target("measure", row.id, row.site_id or site_hint))
    if kind in ("driver_node", "change_idea"):
        node = row if kind == "driver_node" else (
            s.get(DriverNode, row.node_id) if row.node_id else None)
        text = row.text if kind == "driver_node" else row.title
        diagram = s.get(DriverDiagram, node.diagram_id) if node is not None else None
        target = Target("driver_diagram", diagram.id, diagram.site_id) \
            if diagram is not None and not diagram.deleted else None
        return Subject(kind, row.id, f"{word}: {_label(text)}", target)
    if kind == "cause":
        fishbone = s.get(Fishbone, row.fishbone_id)
        target = Target("fishbone", fishbone.id, fishbone.site_id) \
            if fishbone is not None and not fishbone.deleted else None
        return Subject(kind, row.id, f"{word}: {_label(row.text)}", target)
    if kind == "meeting":
        day = f"{row.date} " if row.date else ""
        return Subject(kind, row.id, f"{word}: {day}{_label(row.title)}",
                       Target("meeting", row.id, row.site_id))
    if kind == "site":
        return Subject(kind, row.id, f"{word}: {_label(row.name)}",
                       Target("site", row.id, row.id))
    return Subject(kind, row.id, f"{word}: {_label(row.statement)}",
                   Target("aim", row.id, row.site_id))


def _rows(s: Session, comments: list[Comment], local: str | None,
          standalone: bool) -> dict[str, CommentRow]:
    members = {m.id: m.name for m in s.scalars(select(Member))}
    sites = {x.id: x.name for x in s.scalars(select(Site))}
    return {c.id: CommentRow(
        c.id, members.get(c.author_id or "", "someone"), c.author_id,
        sites.get(c.site_id, "another site"), c.site_id, c.posted, c.text,
        tuple(members.get(m, "someone") for m in c.mentions or []),
        tuple(c.mentions or []), bool(c.resolved),
        standalone or c.owner_site_id == local) for c in comments}


def build_threads(s: Session, comments: list[Comment], *, local: str | None,
                  standalone: bool) -> list[Thread]:
    """Threads of these live comments, newest activity first.  A reply whose first
    comment is missing is shown as a thread of its own."""
    rows = _rows(s, comments, local, standalone)
    by_id = {c.id: c for c in comments}
    roots = [c for c in comments if not c.parent_id or c.parent_id not in by_id]
    replies: dict[str, list[Comment]] = {}
    for c in comments:
        if c.parent_id and c.parent_id in by_id:
            root = c
            seen = {root.id}
            while root.parent_id in by_id and root.parent_id not in seen:
                root = by_id[root.parent_id]
                seen.add(root.id)
            replies.setdefault(root.id, []).append(c)
    subjects: dict[tuple[str, str], Subject] = {}
    out = []
    for c in roots:
        key = (c.subject_kind, c.subject_id)
        if key not in subjects:
            subjects[key] = subject_of(s, *key, site_hint=c.chart_site_id or c.site_id)
        kids = sorted(replies.get(c.id, []), key=lambda r: (r.posted, r.id))
        out.append(Thread(rows[c.id], tuple(rows[r.id] for r in kids), subjects[key],
                          c.point_period, c.chart_site_id))
    return sorted(out, key=lambda t: (t.latest, t.root.id), reverse=True)


def live_comments(s: Session, **where: Any) -> list[Comment]:
    q = select(Comment).where(Comment.deleted.is_(False))
    for name, value in where.items():
        q = q.where(getattr(Comment, name) == value)
    return list(s.scalars(q))


def _standing(ws: Workspace) -> tuple[str | None, bool]:
    from ...core.authority import binds

    meta = ws.meta()
    return meta.get("local_site_id") or None, not binds(meta)


def threads_on(ws: Workspace, kind: str, subject_id: str,
               point_period: dt.date | None = None, *, any_point: bool = True,
               chart_site_id: str | None = None) -> list[Thread]:
    """The threads on one record (for a measure: on its chart, or on one point of it;
    `any_point` lists both; `chart_site_id`: on that site's chart of it, with the
    threads about every site's chart)."""
    local, standalone = _standing(ws)
    with ws.read() as s:
        found = live_comments(s, subject_kind=kind, subject_id=subject_id)
        by_id = {c.id for c in found}
        threads = build_threads(s, found, local=local, standalone=standalone)
    if not any_point:
        threads = [t for t in threads if t.point_period == point_period]
    if chart_site_id is not None:
        threads = [t for t in threads if t.chart_site_id in (None, chart_site_id)]
    return [t for t in threads if t.root.id in by_id]


def all_threads(ws: Workspace, *, network_id: str | None = None,
                unresolved: bool = False) -> list[Thread]:
    """Every thread in the workspace (of one network), newest activity first."""
    local, standalone = _standing(ws)
    with ws.read() as s:
        found = live_comments(s, **({"network_id": network_id} if network_id else {}))
        threads = build_threads(s, found, local=local, standalone=standalone)
    return [t for t in threads if not (unresolved and t.resolved)]


def member_names(ws: Workspace) -> dict[str, str]:
    """Member id -> name of every live member (whom a comment may mention)."""
    with ws.read() as s:
        return {m.id: m.name for m in s.scalars(select(Member).where(
            Member.deleted.is_(False)))}


#: the field a person names each kind of subject by (the command line's `--on KIND NAME`)
NAME_FIELDS: dict[str, tuple[Any, str]] = {"pdsa_cycle": (PdsaCycle, "title"), "measure": (Measure, "name"),
               "driver_node": (DriverNode, "text"), "cause": (Cause, "text"),
               "meeting": (Meeting, "title"), "site": (Site, "name"),
               "change_idea": (ChangeIdea, "title"), "aim": (Aim, "statement")}


def find_subject(ws: Workspace, kind: str, name: str, *, site: str | None = None
                 ) -> Subject:
    """The one record of `kind` whose name is `name` (or starts with it, ignoring case),
    of the site whose name starts with `site` when given; a clear error naming the
    candidates otherwise."""
    from ..errors import NotFoundError

    model, field = NAME_FIELDS[kind]
    want = " ".join(name.split()).casefold()
    with ws.read() as s:
        rows = [(r.id, " ".join((getattr(r, field) or "").split()))
                for r in s.scalars(select(model).where(model.deleted.is_(False)))]
        if site:
            names = {x.id: x.name.casefold() for x in s.scalars(select(Site))}

            def at_site(record_id: str) -> bool:
                target = subject_of(s, kind, record_id).target
                where = names.get(target.site_id or "", "") if target else ""
                return where.startswith(site.casefold().strip())

            rows = [r for r in rows if at_site(r[0])]
        exact = [r for r in rows if r[1].casefold() == want]
        found = exact or [r for r in rows if r[1].casefold().startswith(want)]
        if len(found) == 1:
            return subject_of(s, kind, found[0][0])
        if found:
            subjects = [subject_of(s, kind, r[0]) for r in found[:8]]
    word = SUBJECT_WORDS[kind].lower()
    if not found:
        where = f" at {site!r}" if site else ""
        raise NotFoundError(f"No {word} is called {name!r}{where} here. Check the "
                            "spelling, or list them with `nicdesk tree`.")
    sites = "; ".join(_with_site(ws, x) for x in subjects)
    raise NotFoundError(f"More than one {word} matches {name!r}: {sites}. Type more of "
                        "the name, or name the site with --site.")


def _with_site(ws: Workspace, subject: Subject) -> str:
    site = subject.target.site_id if subject.target else None
    if site is None:
        return subject.label
    with ws.read() as s:
        row = s.get(Site, site)
    return f"{subject.label} ({row.name if row else 'another site'})"
