"""Meetings: agenda, attendees, decisions and action items that carry over.

An action item belongs to the meeting where it was agreed; it is *carried over* — shown
in every later meeting of the same scope (the network, or one site) — until it is done.
Nothing is copied, so ticking it done anywhere ends it everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFoundError
from ..operations import OpChanges, Transaction
from ..schema import ActionItem, AgendaItem, Meeting, Member, Site
from ..workspace import Workspace


@dataclass
class ActionRow:
    item: ActionItem
    meeting: Meeting  # where it was agreed
    carried: bool  # from an earlier meeting

    @property
    def overdue(self) -> bool:
        return bool(self.item.due and not self.item.done
                    and self.item.due < (self.meeting_date or dt.date.today()))

    meeting_date: dt.date | None = None  # the meeting it is shown for


def meetings_of(session: Session, network_id: str | None = None,
                site_id: str | None = None, *, any_scope: bool = False) -> list[Meeting]:
    """Meetings, oldest first (of one scope unless `any_scope`)."""
    q = select(Meeting).where(Meeting.deleted.is_(False))
    if network_id:
        q = q.where(Meeting.network_id == network_id)
    if not any_scope:
        q = q.where(Meeting.site_id.is_(None) if site_id is None else Meeting.site_id == site_id)
    return sorted(session.scalars(q), key=lambda m: (m.date or dt.date.min, m.title))


def find_meeting(session: Session, ref: str) -> Meeting:
    """A meeting by id, by 'latest' (the most recent of any scope), or by title."""
    live = meetings_of(session, any_scope=True)
    if not live:
        raise NotFoundError("This workspace has no meetings yet. Add one under Meetings "
                            "in the navigator.")
    if ref == "latest":
        return live[-1]
    found = [m for m in live if m.id == ref] or [
        m for m in live if m.title.lower().startswith(ref.lower())]
    if len(found) != 1:
        names = ", ".join(f"{m.date} {m.title}" for m in live)[:400]
        raise NotFoundError(f"{'No' if not found else 'More than one'} meeting matches "
                            f"{ref!r}. Choose one of: {names}, or 'latest'.")
    return found[0]


def agenda(session: Session, meeting_id: str) -> list[AgendaItem]:
    return list(session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting_id, AgendaItem.deleted.is_(False))
        .order_by(AgendaItem.position, AgendaItem.title)))


def actions_for(session: Session, meeting: Meeting, *, open_only: bool = False
                ) -> list[ActionRow]:
    """This meeting's action items, then open ones carried over from earlier meetings of
    the same scope."""
    earlier = [m for m in meetings_of(session, meeting.network_id, meeting.site_id)
               if m.id != meeting.id and (m.date or dt.date.min) <= (meeting.date or dt.date.max)]
    by_id = {m.id: m for m in [*earlier, meeting]}
    items = session.scalars(select(ActionItem).where(
        ActionItem.meeting_id.in_(list(by_id)), ActionItem.deleted.is_(False)))
    rows = []
    for item in items:
        carried = item.meeting_id != meeting.id
        if (carried or open_only) and item.done:
            continue
        rows.append(ActionRow(item, by_id[item.meeting_id], carried, meeting.date))
    rows.sort(key=lambda r: (r.carried is False, r.item.due or dt.date.max, r.item.text))
    return rows


def attendee_choices(session: Session, meeting: Meeting) -> list[str]:
    """Names of members of the network (or of the meeting's site and the sites above)."""
    sites = list(session.scalars(select(Site).where(Site.network_id == meeting.network_id,
                                                    Site.deleted.is_(False))))
    ids = {s.id for s in sites}
    members = session.scalars(select(Member).where(Member.site_id.in_(ids),
                                                   Member.deleted.is_(False)))
    return sorted({m.name for m in members if m.name}, key=str.lower)


def new_meeting(ws: Workspace, network_id: str, site_id: str | None, title: str,
                date: dt.date | None = None) -> OpChanges:
    """A meeting with the usual opening and closing agenda items."""
    def op(t: Transaction) -> None:
        mid = t.create("meeting", network_id=network_id, site_id=site_id, title=title,
                       date=date or dt.date.today())
        for i, (item, minutes) in enumerate((("Welcome and aim check", 5),
                                             ("Reflection and next steps", 5))):
            t.create("agenda_item", meeting_id=mid, position=i, title=item, minutes=minutes)

    return ws.ops.run(f"New meeting: {title}", op)


# ------------------------------------------------------------------ packet choices
def packet_choice(ws: Workspace, meeting_id: str) -> dict[str, Any] | None:
    """The sections and paper last chosen for this meeting's packet (kept on this
    computer only: a choice of printout is not network data)."""
    raw = ws.meta().get(f"packet:{meeting_id}")
    try:
        choice: dict[str, Any] | None = json.loads(raw) if raw else None
        return choice
    except ValueError:
        return None


def remember_packet_choice(ws: Workspace, meeting_id: str, choice: dict[str, Any]) -> None:
    ws.set_meta(**{f"packet:{meeting_id}": json.dumps(choice, sort_keys=True)})
