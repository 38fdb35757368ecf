"""A network-wide measure has one chart per site: a comment on it names the site whose
chart it discusses, so a coach's question about Lincoln's March point is shown on
Lincoln's chart, not on Eastside's; replies stay on the same chart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from nicdesk.store.ops.discussion import post_comment
from nicdesk.store.schema import Comment
from nicdesk.store.views.discussion import threads_on
from nicdesk.store.workspace import Workspace


def test_a_comment_on_one_sites_chart_stays_on_that_chart(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.nicdesk") as ws:
        net = ws.ops.create("network", name="NIC").id
        hub = ws.ops.create("site", network_id=net, name="Hub", kind="state agency").id
        lincoln = ws.ops.create("site", network_id=net, name="Lincoln", kind="school").id
        eastside = ws.ops.create("site", network_id=net, name="Eastside", kind="school").id
        coach = ws.ops.create("member", site_id=hub, name="Priya Raman", role="coach").id
        measure = ws.ops.create("measure", network_id=net, name="On track").id
        march = dt.date(2026, 3, 1)
        asked = post_comment(ws, subject_kind="measure", subject_id=measure,
                             author_id=coach, point_period=march, chart_site_id=lincoln,
                             text="What happened in March?").created[0]
        everyone = post_comment(ws, subject_kind="measure", subject_id=measure,
                                author_id=coach, text="Please add last year's data").created[0]
        reply = post_comment(ws, subject_kind="measure", subject_id=measure,
                             author_id=coach, parent_id=asked, text="(answered by phone)"
                             ).created[0]
        with ws.read() as s:
            assert s.get(Comment, asked).chart_site_id == lincoln
            assert s.get(Comment, reply).chart_site_id == lincoln  # the thread's chart
            assert s.get(Comment, everyone).chart_site_id is None
        at_lincoln = threads_on(ws, "measure", measure, chart_site_id=lincoln)
        at_eastside = threads_on(ws, "measure", measure, chart_site_id=eastside)
        assert {t.root.id for t in at_lincoln} == {asked, everyone}
        assert {t.root.id for t in at_eastside} == {everyone}
        lincoln_thread = next(t for t in at_lincoln if t.root.id == asked)
        assert lincoln_thread.subject.target is not None
        assert lincoln_thread.subject.target.site_id == lincoln  # the inbox leads there
        assert [r.id for r in lincoln_thread.replies] == [reply]
        # a comment on anything but a measure names no chart
        other = post_comment(ws, subject_kind="site", subject_id=eastside, author_id=coach,
                             chart_site_id=lincoln, text="Welcome!").created[0]
        with ws.read() as s:
            assert s.get(Comment, other).chart_site_id is None
