"""A site's own word on where it stands with a change idea: the ``change_adoption`` records
that override the status its PDSA cycles imply, from their date (`nicdesk.core.spread`).

Each record is one dated event in the site's history with the idea, so setting a status
adds a record; setting one again for the same day changes that day's record rather than
stacking two that would contradict each other.  Both go through the validated
operations (one undo step each), so only the owning site writes its records once the
workspace exchanges, and a bad value is refused with the database left as it was.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ...core.entities import ADOPTION_STATUSES
from ..errors import InvalidChangeError
from ..operations import OpChanges, Transaction
from ..schema import ChangeAdoption, ChangeIdea, Site
from ..workspace import Workspace


def set_adoption(ws: Workspace, site_id: str, change_idea_id: str, status: str,
                 since: dt.date, note: str = "") -> OpChanges:
    """Record that `site_id` stands at `status` with the idea from `since` (one record
    per site, idea and day).  InvalidChangeError, nothing written, for an unknown site or
    idea, an idea of another network, a status outside `ADOPTION_STATUSES`, or a site
    this workspace may not write for."""
    if status not in ADOPTION_STATUSES:
        raise InvalidChangeError(f"“{status}” is not a spread status: choose one of "
                                 f"{', '.join(ADOPTION_STATUSES)}.")
    if not isinstance(since, dt.date):
        raise InvalidChangeError("The status needs the date it began: choose a date.")
    def op(t: Transaction) -> None:
        site = t.session.get(Site, site_id)
        idea = t.session.get(ChangeIdea, change_idea_id)
        if site is None or site.deleted:
            raise InvalidChangeError("That site is not in this workspace (it may have been "
                                     "removed): choose another site.")
        if idea is None or idea.deleted:
            raise InvalidChangeError("That change idea is not in this workspace (it may "
                                     "have been deleted): choose another idea.")
        if idea.network_id != site.network_id:
            raise InvalidChangeError(f"“{idea.title}” is a change idea of another network "
                                     f"than {site.name}'s: choose one of its own network.")
        same_day = t.session.scalars(select(ChangeAdoption).where(
            ChangeAdoption.site_id == site_id, ChangeAdoption.change_idea_id == change_idea_id,
            ChangeAdoption.since == since, ChangeAdoption.deleted.is_(False))).first()
        if same_day is not None:
            t.update("change_adoption", same_day.id, status=status, note=note)
        else:
            t.create("change_adoption", site_id=site_id, change_idea_id=change_idea_id,
                     status=status, since=since, note=note)

    with ws.read() as s:
        site = s.get(Site, site_id)
        idea = s.get(ChangeIdea, change_idea_id)
        label = (f"{site.name if site else 'Site'}: “{idea.title if idea else 'idea'}” "
                 f"{status}")
    return ws.ops.run(label, op)


def remove_adoption(ws: Workspace, record_id: str) -> OpChanges:
    """Withdraw a site's own record, so its cycles speak for it again from that date."""
    with ws.read() as s:
        row = s.get(ChangeAdoption, record_id)
        if row is None or row.deleted:
            raise InvalidChangeError("That spread status is not in this workspace any more "
                                     "(it may have been removed): nothing to withdraw.")
    return ws.ops.delete("change_adoption", record_id, label="Withdraw a spread status")
