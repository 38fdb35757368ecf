"""Coaching: the feedback given on a cycle, and the coordinator's list of each site's
latest cycles with feedback given or still owed and the date of the last contact.

Definitions (also in the guide):

- a cycle's feedback is *owed* while no coach or facilitator has given feedback on it;
- a site's *last contact* is the latest of: coaching feedback given on one of its
  cycles; a comment by a coach or facilitator on one of its records (or on the site
  itself); a meeting it attended — one held for the site, or a network meeting whose
  attendees name one of its members — on or before `today`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..schema import CoachingFeedback, Comment, Meeting, Member, PdsaCycle, Site
from .discussion import subject_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..workspace import Workspace

COACH_ROLES = ("coach", "facilitator")
LATEST_CYCLES = 3  # cycles per site on the Coaching page


@dataclass(frozen=True)
class FeedbackRow:
    id: str
    cycle_id: str
    coach: str
    site: str  # the coach's site
    given: dt.date | None
    strengths: str
    question: str
    suggestion: str
    next_step: str
    mine: bool  # written by this workspace's site


@dataclass(frozen=True)
class CycleCoaching:
    cycle_id: str
    title: str
    start: dt.date | None
    decision: str
    feedback: tuple[FeedbackRow, ...]

    @property
    def owed(self) -> bool:
        return not self.feedback

    @property
    def last_given(self) -> dt.date | None:
        days = [f.given for f in self.feedback if f.given]
        return max(days) if days else None


@dataclass(frozen=True)
class SiteCoaching:
    site_id: str
    site: str
    cycles: tuple[CycleCoaching, ...]  # latest first
    last_contact: dt.date | None
    contact_how: str  # "feedback", "comment", "meeting" or ""

    @property
    def owed(self) -> int:
        return sum(1 for c in self.cycles if c.owed)


def _feedback_rows(s: Session, items: list[CoachingFeedback], local: str | None,
                   standalone: bool) -> list[FeedbackRow]:
    members = {m.id: m.name for m in s.scalars(select(Member))}
    sites = {x.id: x.name for x in s.scalars(select(Site))}
    return [FeedbackRow(f.id, f.cycle_id, members.get(f.author_id or "", "a coach"),
                        sites.get(f.site_id, "another site"), f.given, f.strengths,
                        f.question, f.suggestion, f.next_step,
                        standalone or f.owner_site_id == local)
            for f in sorted(items, key=lambda f: (f.given or dt.date.min, f.id))]


def feedback_on(ws: Workspace, cycle_id: str) -> list[FeedbackRow]:
    """Coaching feedback on one cycle, oldest first."""
    from ...core.authority import binds

    meta = ws.meta()
    with ws.read() as s:
        items = list(s.scalars(select(CoachingFeedback).where(
            CoachingFeedback.cycle_id == cycle_id, CoachingFeedback.deleted.is_(False))))
        return _feedback_rows(s, items, meta.get("local_site_id"), not binds(meta))


def feedback_by_cycle(s: Session, cycle_ids: list[str]) -> dict[str, list[FeedbackRow]]:
    """Feedback per cycle, for a report (read-only rows)."""
    items = list(s.scalars(select(CoachingFeedback).where(
        CoachingFeedback.cycle_id.in_(cycle_ids), CoachingFeedback.deleted.is_(False))))
    out: dict[str, list[FeedbackRow]] = {}
    for row in _feedback_rows(s, items, None, False):
        out.setdefault(row.cycle_id, []).append(row)
    return out


def _contacts(s: Session, site: Site, cycles: list[CycleCoaching], coaches: set[str],
              names: set[str], today: dt.date) -> list[tuple[dt.date, str]]:
    found = [(c.last_given, "feedback") for c in cycles if c.last_given]
    for comment in s.scalars(select(Comment).where(Comment.deleted.is_(False),
                                                   Comment.author_id.in_(coaches))):
        subject = subject_of(s, comment.subject_kind, comment.subject_id)
        if subject.target is not None and subject.target.site_id == site.id:
            day = _day(comment.posted)
            if day and day <= today:
                found.append((day, "comment"))
    for meeting in s.scalars(select(Meeting).where(Meeting.deleted.is_(False),
                                                   Meeting.network_id == site.network_id)):
        if meeting.date is None or meeting.date > today:
            continue
        attended = meeting.site_id == site.id or (
            meeting.site_id is None and names & set(meeting.attendees or []))
        if attended:
            found.append((meeting.date, "meeting"))
    return found


def _day(posted: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(posted[:10])
    except ValueError:
        return None


def coaching_list(ws: Workspace, network_id: str, *, today: dt.date | None = None,
                  latest: int = LATEST_CYCLES) -> list[SiteCoaching]:
    """Each site with PDSA cycles: its `latest` cycles (feedback given or owed) and the
    date of the last contact; sites longest without contact first, so visits can be
    planned from the top."""
    today = today or dt.date.today()
    with ws.read() as s:
        sites = list(s.scalars(select(Site).where(Site.network_id == network_id,
                                                  Site.deleted.is_(False))))
        coaches = set(s.scalars(select(Member.id).where(Member.role.in_(COACH_ROLES),
                                                        Member.deleted.is_(False))))
        out = []
        for site in sites:
            live = list(s.scalars(select(PdsaCycle).where(PdsaCycle.site_id == site.id,
                                                          PdsaCycle.deleted.is_(False))))
            if not live:
                continue
            live.sort(key=lambda c: (c.start_date or dt.date.min, c.cycle_number, c.id),
                      reverse=True)
            chosen = live[:latest]
            fb = feedback_by_cycle(s, [c.id for c in chosen])
            cycles = [CycleCoaching(c.id, c.title, c.start_date, c.decision or "",
                                    tuple(fb.get(c.id, []))) for c in chosen]
            names = set(s.scalars(select(Member.name).where(Member.site_id == site.id,
                                                            Member.deleted.is_(False))))
            contacts = _contacts(s, site, cycles, coaches, names, today)
            day, how = max(contacts) if contacts else (None, "")
            out.append(SiteCoaching(site.id, site.name, tuple(cycles), day, how))
    return sorted(out, key=lambda x: (x.last_contact or dt.date.min, x.site.casefold()))
