"""The Inbox: comments that arrived in the latest import(s), and open threads that
mention me or my site.

"New" is exact without touching the importer: the Inbox remembers, in the workspace's
own meta (``inbox_mark``, never shared), which comments from other sites it knew of and
the latest import it had seen.  When a newer import is found, what it knew before is kept
as the baseline, and every comment from another site not in that baseline is new —
those arrived in the import(s) since.  Until the next import the list stays the same, so
reopening the Inbox does not empty it.  A workspace that has never imported has nothing
new (and nothing is written); the first look after imports counts every comment from
other sites as new.

"Me" is the member chosen as "Posting as" (`store.ops.discussion.me`); "my site" is my
member's site (once a workspace exchanges, that is always this workspace's site), else
this workspace's site.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from ...core.mentions import find_mentions
from ..schema import BundleImport, Member
from .discussion import CommentRow, Thread, all_threads
from .nav_tree import INBOX_COUNTS, remembered_inbox_counts

if TYPE_CHECKING:
    from ..workspace import Workspace

MARK = "inbox_mark"


@dataclass(frozen=True)
class InboxItem:
    thread: Thread
    comment: CommentRow  # the comment to read (the new one, or the one mentioning me)
    why: str  # "new", "mentions you", "mentions your site"


@dataclass(frozen=True)
class Inbox:
    new: tuple[InboxItem, ...]
    mentions: tuple[InboxItem, ...]
    member: str | None  # who "me" is, by name (None: nobody chosen)
    last_import: str | None  # when the latest bundle was imported (ISO), if ever

    @property
    def count(self) -> int:
        """Distinct comments listed (a new comment that also mentions me counts once)."""
        return len({i.comment.id for i in (*self.new, *self.mentions)})


def _load(raw: str | None) -> dict[str, object]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _new_ids(ws: Workspace, foreign: set[str], latest: int | None) -> set[str]:
    """Comments from other sites that arrived in the import(s) since the Inbox last
    looked before them; keeps the mark up to date."""
    mark = _load(ws.meta().get(MARK))
    if latest is None:  # never imported: nothing is new, and nothing to remember yet
        return set()
    seen = mark.get("seen")
    if mark.get("import") != latest:  # import(s) since the last look: what it knew
        before = list(seen) if isinstance(seen, list) and "import" in mark else []
    else:
        kept = mark.get("before")
        before = list(kept) if isinstance(kept, list) else []
    new = foreign - set(before)
    updated = {"import": latest, "before": sorted(before), "seen": sorted(foreign)}
    if updated != mark:
        ws.set_meta(**{MARK: json.dumps(updated, separators=(",", ":"))})
    return new


def inbox(ws: Workspace, network_id: str | None = None) -> Inbox:
    """What the Inbox lists now (and the mark it keeps, updated)."""
    from ..ops.discussion import me

    meta = ws.meta()
    member_id = me(ws)
    with ws.read() as s:
        latest_row = s.execute(select(BundleImport.id, BundleImport.imported)
                               .order_by(BundleImport.id.desc()).limit(1)).first()
        member = s.get(Member, member_id) if member_id else None
        # my member's site (in an exchanging workspace that is this workspace's site;
        # in a standalone one, such as the sample, whoever I chose to be)
        my_site = member.site_id if member else meta.get("local_site_id") or None
        my_names = {m.id: m.name for m in s.scalars(select(Member).where(
            Member.site_id == my_site, Member.deleted.is_(False)))} if my_site else {}
        total = s.scalar(select(func.count(BundleImport.id))) or 0
    threads = all_threads(ws, network_id=network_id)
    foreign = {c.id for t in threads for c in t.comments if c.site_id != my_site}
    new_ids = _new_ids(ws, foreign, latest_row[0] if latest_row and total else None)
    new = [InboxItem(t, c, "new") for t in threads for c in t.comments if c.id in new_ids]
    mentions = []
    for t in threads:
        if t.resolved:
            continue
        for c in t.comments:
            if member_id and c.author_id == member_id:
                continue  # what I wrote myself is no news to me, even if it names me
            # ids resolved by the writer, and names the writer's workspace did not know
            # yet (a member who had not reached it) read again here
            named = set(c.mention_ids) | set(find_mentions(c.text, my_names))
            if member_id and member_id in named:
                mentions.append(InboxItem(t, c, "mentions you"))
            elif set(my_names) & named and c.site_id != my_site:
                mentions.append(InboxItem(t, c, "mentions your site"))
    by_time = sorted(new, key=lambda i: i.comment.posted, reverse=True)
    return Inbox(tuple(by_time), tuple(sorted(mentions, key=lambda i: i.comment.posted,
                                              reverse=True)),
                 member.name if member else None, latest_row[1] if latest_row else None)


def inbox_count(ws: Workspace, network_id: str | None = None) -> int:
    """The number the navigator shows after "Inbox"."""
    return inbox(ws, network_id).count


def remember_inbox_counts(ws: Workspace, network_ids: list[str]) -> dict[str, int]:
    """Each network's Inbox count, also kept in the workspace meta so the shell's first
    look at the file labels the navigator exactly as the open workspace does."""
    counts = {n: inbox_count(ws, n) for n in network_ids}
    waiting = {n: c for n, c in counts.items() if c}  # an empty Inbox needs no record
    if remembered_inbox_counts(ws.meta()) != waiting:
        ws.set_meta(**{INBOX_COUNTS: json.dumps(waiting, sort_keys=True) if waiting else ""})
    return counts
