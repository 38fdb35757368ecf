"""Comments and coaching feedback in one workspace: who may write, what is refused (in
words, with the file exactly as it was), undo, the Coaching list (owed vs given, last
contact) and the Inbox's mentions."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from nicdesk.store.errors import InvalidChangeError, NotFoundError
from nicdesk.store.ops.discussion import choose_me, give_feedback, me, post_comment
from nicdesk.store.schema import CoachingFeedback, Comment, Member, PdsaCycle, Site
from nicdesk.store.views.coaching import coaching_list
from nicdesk.store.views.discussion import find_subject, threads_on
from nicdesk.store.views.inbox import inbox
from nicdesk.store.workspace import Workspace


def _dump(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return "\n".join(line for line in con.iterdump()
                         if "workspace_meta" not in line)  # the clock, not a record
    finally:
        con.close()


@pytest.fixture
def school(tmp_path: Path) -> dict:
    """A network with a hub (a coach) and a school (a teacher, two cycles), standalone."""
    path = tmp_path / "w.nicdesk"
    with Workspace.create(path) as ws:
        net = ws.ops.create("network", name="NIC").id
        hub = ws.ops.create("site", network_id=net, name="Hub", kind="state agency").id
        school = ws.ops.create("site", network_id=net, name="Lincoln", kind="school",
                               parent_id=hub).id
        coach = ws.ops.create("member", site_id=hub, name="Priya Raman", role="coach").id
        teacher = ws.ops.create("member", site_id=school, name="Keisha Moore",
                                role="teacher").id
        older = ws.ops.create("pdsa_cycle", site_id=school, title="Check-ins 1",
                              start_date=dt.date(2025, 9, 1)).id
        newer = ws.ops.create("pdsa_cycle", site_id=school, title="Check-ins 2",
                              start_date=dt.date(2025, 10, 1)).id
    return dict(path=path, net=net, hub=hub, school=school, coach=coach, teacher=teacher,
                older=older, newer=newer)


def test_only_coaches_give_feedback_and_refusals_change_nothing(school: dict) -> None:
    before = _dump(school["path"])
    with Workspace.open(school["path"]) as ws:
        with pytest.raises(InvalidChangeError, match="Keisha Moore is a teacher, and only "
                           "coaches and facilitators give coaching feedback"):
            give_feedback(ws, school["older"], author_id=school["teacher"], strengths="x")
        with pytest.raises(InvalidChangeError, match="at least one part"):
            give_feedback(ws, school["older"], author_id=school["coach"], strengths="  ")
        with pytest.raises(InvalidChangeError, match="Choose who is writing"):
            give_feedback(ws, school["older"], strengths="x")
        with pytest.raises(NotFoundError, match="not in this workspace"):
            give_feedback(ws, "no-such-cycle", author_id=school["coach"], strengths="x")
        with pytest.raises(InvalidChangeError, match="empty"):
            post_comment(ws, subject_kind="pdsa_cycle", subject_id=school["older"],
                         text=" \n", author_id=school["teacher"])
        with pytest.raises(InvalidChangeError, match="kind of record discussed"):
            post_comment(ws, subject_kind="spreadsheet", subject_id=school["older"],
                         text="hi", author_id=school["teacher"])
        with pytest.raises(InvalidChangeError, match="A chart point belongs to a measure"):
            post_comment(ws, subject_kind="pdsa_cycle", subject_id=school["older"],
                         text="hi", author_id=school["teacher"],
                         point_period=dt.date(2025, 9, 1))
        with pytest.raises(NotFoundError, match="reply to is gone"):
            post_comment(ws, subject_kind="pdsa_cycle", subject_id=school["older"],
                         text="hi", author_id=school["teacher"], parent_id="gone")
    assert _dump(school["path"]) == before


def test_feedback_belongs_to_the_coachs_site_and_undoes(school: dict) -> None:
    with Workspace.open(school["path"]) as ws:
        give_feedback(ws, school["older"], author_id=school["coach"],
                      given=dt.date(2025, 9, 20), strengths="Clear predictions.",
                      next_step="Scale to three advisors.")
        with ws.read() as s:
            [fb] = s.scalars(select(CoachingFeedback))
            assert (fb.site_id, fb.owner_site_id, fb.cycle_id) == (
                school["hub"], school["hub"], school["older"])
        ws.ops.undo()
        with ws.read() as s:
            assert [f.deleted for f in s.scalars(select(CoachingFeedback))] == [True]


def test_coaching_list_owed_given_and_last_contact(school: dict) -> None:
    with Workspace.open(school["path"]) as ws:
        [row] = coaching_list(ws, school["net"], today=dt.date(2026, 1, 1))
        assert [(c.title, c.owed) for c in row.cycles] == [("Check-ins 2", True),
                                                           ("Check-ins 1", True)]
        assert (row.last_contact, row.contact_how, row.owed) == (None, "", 2)
        give_feedback(ws, school["older"], author_id=school["coach"],
                      given=dt.date(2025, 9, 20), strengths="Clear predictions.")
        [row] = coaching_list(ws, school["net"], today=dt.date(2026, 1, 1))
        assert [c.owed for c in row.cycles] == [True, False]
        assert (row.last_contact, row.contact_how, row.owed) == (dt.date(2025, 9, 20),
                                                                 "feedback", 1)
        # a coach's comment on the school's cycle is a later contact ...
        post_comment(ws, subject_kind="pdsa_cycle", subject_id=school["newer"],
                     text="How is it going?", author_id=school["coach"],
                     posted="2025-10-05T09:00:00Z")
        # ... a teacher's comment is not
        post_comment(ws, subject_kind="pdsa_cycle", subject_id=school["newer"],
                     text="Fine!", author_id=school["teacher"], posted="2025-11-01T09:00:00Z")
        [row] = coaching_list(ws, school["net"], today=dt.date(2026, 1, 1))
        assert (row.last_contact, row.contact_how) == (dt.date(2025, 10, 5), "comment")
        # a network meeting the school's teacher attended, and one still to come
        ws.ops.create("meeting", network_id=school["net"], title="Convening",
                      date=dt.date(2025, 12, 3), attendees=["Keisha Moore"])
        ws.ops.create("meeting", network_id=school["net"], title="Next",
                      date=dt.date(2026, 3, 3), attendees=["Keisha Moore"])
        ws.ops.create("meeting", network_id=school["net"], title="Without them",
                      date=dt.date(2025, 12, 20), attendees=["Priya Raman"])
        [row] = coaching_list(ws, school["net"], today=dt.date(2026, 1, 1))
        assert (row.last_contact, row.contact_how) == (dt.date(2025, 12, 3), "meeting")


def test_mentions_reach_me_and_my_site(school: dict) -> None:
    with Workspace.open(school["path"]) as ws:
        choose_me(ws, school["teacher"])
        assert me(ws) == school["teacher"]
        post_comment(ws, subject_kind="site", subject_id=school["school"],
                     text="@Keisha Moore can you send the log?", author_id=school["coach"])
        box = inbox(ws)
        assert [(i.why, i.comment.author) for i in box.mentions] == [
            ("mentions you", "Priya Raman")]
        assert box.new == () and box.count == 1  # nothing was imported
        [thread] = threads_on(ws, "site", school["school"])
        assert thread.root.mentions == ("Keisha Moore",)
        # a name the writer's workspace could not resolve (the member had not reached
        # it) is read again here
        ws.ops.create("comment", network_id=school["net"], site_id=school["hub"],
                      author_id=school["coach"], subject_kind="site",
                      subject_id=school["school"], text="Ask @keisha moore about it",
                      mentions=[], posted="2026-01-02T08:00:00Z")
        assert sorted(i.comment.text for i in inbox(ws).mentions) == [
            "@Keisha Moore can you send the log?", "Ask @keisha moore about it"]
        ws.ops.undo()
        # resolved threads leave the Inbox
        with ws.ops.batch("Resolve") as t:
            t.update("comment", thread.root.id, resolved=True)
        assert inbox(ws).count == 0


def test_subjects_are_found_by_name_and_site(school: dict, tmp_path: Path) -> None:
    with Workspace.open(school["path"]) as ws:
        assert find_subject(ws, "pdsa_cycle", "check-ins 2").id == school["newer"]
        with pytest.raises(NotFoundError, match="More than one pdsa cycle matches"):
            find_subject(ws, "pdsa_cycle", "Check-ins")
        with pytest.raises(NotFoundError, match="No pdsa cycle is called 'Check-ins 1' at "
                           "'Hub'"):
            find_subject(ws, "pdsa_cycle", "Check-ins 1", site="Hub")
        assert find_subject(ws, "site", "lincoln").id == school["school"]


def test_demo_holds_a_question_answered_from_another_school(demo_file: Path,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "d.nicdesk"
    shutil.copyfile(demo_file, path)
    with Workspace.open(path) as ws, ws.read() as s:
        comments = list(s.scalars(select(Comment)))
        sites = {x.id: x.name for x in s.scalars(select(Site))}
        cycles = {c.id: sites[c.site_id] for c in s.scalars(select(PdsaCycle))}
        people = {m.id: m.name for m in s.scalars(select(Member))}
        replies = [c for c in comments if c.parent_id]
        roots = {c.id: c for c in comments}
        crossed = [(sites[roots[r.parent_id].site_id], sites[r.site_id]) for r in replies
                   if roots[r.parent_id].subject_kind == "pdsa_cycle"]
        assert ("Pine Valley High School", "Eastside High School") in crossed
        assert any(c.resolved for c in comments)
        assert {cycles[f.cycle_id] for f in s.scalars(select(CoachingFeedback))} >= {
            "Harbor Early College", "Pine Valley High School"}
        assert all(people[f.author_id] in ("Priya Raman", "Tom Haverkamp") or
                   people[f.author_id].startswith("Facilitator")
                   for f in s.scalars(select(CoachingFeedback)))


def test_what_i_wrote_is_not_in_my_inbox(school: dict) -> None:
    """Naming myself in my own comment (quoting, or signing off "— @Keisha Moore")
    is no news to me: the Inbox lists what others wrote."""
    with Workspace.open(school["path"]) as ws:
        choose_me(ws, school["teacher"])
        post_comment(ws, subject_kind="site", subject_id=school["school"],
                     text="Log sent. — @Keisha Moore", author_id=school["teacher"])
        assert inbox(ws).count == 0
        post_comment(ws, subject_kind="site", subject_id=school["school"],
                     text="Thanks @Keisha Moore", author_id=school["coach"])
        assert [i.comment.text for i in inbox(ws).mentions] == ["Thanks @Keisha Moore"]
