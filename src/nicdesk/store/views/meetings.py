"""Reads for the meeting editor and the command line: the meetings, who may attend, the
agenda, and the action items (this meeting's and the open ones carried over).  Plain
values only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..ops import meetings as ops
from ..schema import Meeting

if TYPE_CHECKING:
    from ..workspace import Workspace


@dataclass(frozen=True)
class MeetingRef:
    """A meeting as a list names it."""

    id: str
    title: str
    date: dt.date | None
    site_id: str | None  # None: a network meeting


def _ref(m: Meeting) -> MeetingRef:
    return MeetingRef(m.id, m.title, m.date, m.site_id)


def meeting_list(ws: Workspace) -> list[tuple[MeetingRef, int]]:
    """Every live meeting of any scope, oldest first, with how many action items are open
    in it (its own and those carried over, see `ops.meetings.actions_for`)."""
    with ws.read() as s:
        return [(_ref(m), sum(1 for r in ops.actions_for(s, m) if not r.item.done))
                for m in ops.meetings_of(s, any_scope=True)]


def find_meeting(ws: Workspace, ref: str) -> MeetingRef:
    """A meeting by id, 'latest' or title (its start); `ops.meetings.find_meeting`, whose
    NotFoundError says which meetings there are."""
    with ws.read() as s:
        return _ref(ops.find_meeting(s, ref))


def attendee_choices(ws: Workspace, meeting_id: str) -> list[str]:
    """Names of the members who may attend (see `ops.meetings.attendee_choices`)."""
    with ws.read() as s:
        meeting = s.get(Meeting, meeting_id)
        return [] if meeting is None else ops.attendee_choices(s, meeting)


@dataclass(frozen=True)
class AgendaRow:
    id: str
    title: str
    minutes: int
    owner: str
    material: str


def agenda_of(ws: Workspace, meeting_id: str) -> list[AgendaRow]:
    """A meeting's live agenda items in their order."""
    with ws.read() as s:
        return [AgendaRow(a.id, a.title, a.minutes, a.owner, a.material)
                for a in ops.agenda(s, meeting_id)]


@dataclass(frozen=True)
class ActionView:
    """An action item shown for one meeting; `carried` from an earlier meeting (named by
    `agreed_title` and `agreed_date`), `overdue` as of the meeting shown."""

    id: str
    text: str
    owner: str
    due: dt.date | None
    done: bool
    carried: bool
    overdue: bool
    agreed_title: str
    agreed_date: dt.date | None


def actions_of(ws: Workspace, meeting_id: str) -> list[ActionView]:
    """This meeting's action items and the open ones carried over from earlier meetings of
    the same scope (carried ones first, then by due date; see `ops.meetings.actions_for`)."""
    with ws.read() as s:
        meeting = s.get(Meeting, meeting_id)
        if meeting is None:
            return []
        return [ActionView(r.item.id, r.item.text, r.item.owner, r.item.due, bool(r.item.done),
                           r.carried, r.overdue, r.meeting.title, r.meeting.date)
                for r in ops.actions_for(s, meeting)]
