"""The discussion, the Inbox and coaching in the window: a person types a comment,
replies, resolves, undoes; the Inbox leads to the record; a coach gives feedback and a
teacher is told why they cannot.  Real widgets driven with qtbot; the stored records are
checked.  Screens are saved as PNGs when NICDESK_SHOTS names a folder."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from nicdesk.store.schema import CoachingFeedback, Comment, Member, PdsaCycle

from .conftest import settle, window_on

PINE = "Great Lakes Focus Schools NIC/Sites/Pine Valley High School"


def shot(widget, name: str) -> None:
    folder = os.environ.get("NICDESK_SHOTS")
    if folder:
        settle(50)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _cycle(w, school: str, title: str) -> str:
    with w.workspace.read() as s:
        from nicdesk.store.schema import Site

        site = s.scalars(select(Site.id).where(Site.name == school)).one()
        return s.scalars(select(PdsaCycle.id).where(PdsaCycle.site_id == site,
                                                    PdsaCycle.title == title)).one()


def _member(w, name: str) -> str:
    with w.workspace.read() as s:
        return s.scalars(select(Member.id).where(Member.name == name)).one()


def _comments(w) -> dict[str, tuple[str | None, bool, tuple[str, ...]]]:
    with w.workspace.read() as s:
        return {c.text: (c.parent_id, c.resolved, tuple(c.mentions))
                for c in s.scalars(select(Comment).where(Comment.deleted.is_(False)))}


def test_type_a_comment_reply_resolve_and_undo(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy)
    cycle = _cycle(w, "Lincoln High School", "Advisory check-ins, cycle 1")
    w.pages.open_cycle(cycle)
    page = w.pages.page("pdsa_cycle")
    page.tabs.setCurrentWidget(page.discussion)
    panel = page.discussion
    assert panel.threads == []
    assert "No comments yet" in panel.note.text()
    # typing "@Pri" offers Priya Raman; choosing her completes the name
    panel.edit.setFocus()
    QTest.keyClicks(panel.edit, "Thanks @Pri")
    assert panel.edit.offered() == ["Priya Raman"]
    panel.edit.insert_mention("Priya Raman")
    QTest.keyClicks(panel.edit, "for the script!")
    qtbot.mouseClick(panel.post, Qt.MouseButton.LeftButton)
    stored = _comments(w)
    assert stored["Thanks @Priya Raman for the script!"] == (
        None, False, (_member(w, "Priya Raman"),))
    assert panel.edit.toPlainText() == ""
    assert page.tabs.tabText(page.tabs.indexOf(panel)) == "Discussion (1)"
    # reply to the selected thread
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    QTest.keyClicks(panel.edit, "You are welcome.")
    qtbot.mouseClick(panel.reply, Qt.MouseButton.LeftButton)
    root = next(c for c in panel.threads)
    assert [r.text for r in root.replies] == ["You are welcome."]
    assert _comments(w)["You are welcome."][0] == root.root.id
    # resolve (the sample is standalone: every thread may be resolved here)
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    assert panel.resolve.isEnabled() and panel.resolve.text() == "Resolve"
    qtbot.mouseClick(panel.resolve, Qt.MouseButton.LeftButton)
    assert _comments(w)["Thanks @Priya Raman for the script!"][1] is True
    assert panel.tree.topLevelItem(0).text(0).startswith("✓ resolved")
    shot(w, "cycle-discussion")
    # undo takes the resolution back, then the reply
    w.undo()
    assert _comments(w)["Thanks @Priya Raman for the script!"][1] is False
    w.undo()
    assert "You are welcome." not in _comments(w)
    # an empty comment is refused in words, and nothing is stored
    before = _comments(w)
    qtbot.mouseClick(panel.post, Qt.MouseButton.LeftButton)
    assert "empty" in panel.note.text()
    assert _comments(w) == before


def test_another_sites_thread_cannot_be_resolved_here(qtbot, demo_copy: Path) -> None:
    """In a workspace that exchanges, a thread started at another site shows why it
    cannot be resolved here, and the button is off."""
    from nicdesk.store.workspace import Workspace

    with Workspace.open(demo_copy) as ws, ws.read() as s:
        from nicdesk.store.schema import Site

        lincoln = s.scalars(select(Site.id).where(Site.name == "Lincoln High School")).one()
    with Workspace.open(demo_copy) as ws:
        ws.set_meta(local_site_id=lincoln, signing_key="0" * 16, role="site")
    w = window_on(qtbot, demo_copy)
    w.pages.open_cycle(_cycle(w, "Pine Valley High School", "Advisory check-ins, cycle 1"))
    page = w.pages.page("pdsa_cycle")
    page.tabs.setCurrentWidget(page.discussion)
    panel = page.discussion
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    assert not panel.resolve.isEnabled()
    assert panel.note.text().startswith(
        "This thread was started at Pine Valley High School; only Pine Valley High "
        "School can mark it resolved")
    shot(w, "foreign-thread")


def test_inbox_counts_and_leads_to_the_record(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy)
    assert w.select_path("Great Lakes Focus Schools NIC/Inbox")
    node = w.navigator.current_node()
    assert node.label == "Inbox (1)"  # the sample speaks as Marcus, mentioned once
    page = w.pages.page("inbox")
    [row] = page.rows()
    assert "mentions you" in row.text(3)
    shot(w, "inbox")
    page._open(row)
    now = w.navigator.current_node()
    assert (now.kind, now.label) == ("site", "Lincoln High School")
    # the site form's folded discussion opens, on the comment the Inbox listed
    from nicdesk.ui.common.discussion import FoldedDiscussion

    folded = w.stack.currentWidget().findChild(FoldedDiscussion)
    assert folded.toggle.isChecked() and folded.panel.isVisibleTo(w)
    assert folded.panel.selected_comment().id == row.data(0, Qt.ItemDataRole.UserRole
                                                          ).comment.id
    shot(w, "inbox-to-site")
    # a thread on a record that has not arrived: listed as such, and leads nowhere
    from nicdesk.store.ops.discussion import post_comment

    post_comment(w.workspace, subject_kind="meeting", subject_id="not-here-yet",
                 text="@Marcus Oyelaran see the minutes", author_id=_member(w, "Priya Raman"))
    page.reload()
    missing = next(r for r in page.rows() if "see the minutes" in r.text(3))
    assert missing.text(0).startswith("Meeting not in this workspace")
    page._open(missing)
    assert w.navigator.current_node().label == "Lincoln High School"  # nothing moved
    assert "not in this workspace" in w.statusBar().currentMessage()


def test_coaching_page_and_feedback(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy)
    assert w.select_path("Great Lakes Focus Schools NIC/Coaching")
    page = w.pages.page("coaching")
    by_site = {s.site: s for s in page.sites}
    harbor = by_site["Harbor Early College"]
    assert [c.owed for c in harbor.cycles] == [True, False, False]
    assert harbor.cycles[1].last_given.isoformat() == "2025-10-22"
    shot(w, "coaching")
    # a teacher cannot give feedback; a coach can
    cycle = harbor.cycles[0].cycle_id
    w.pages.open_cycle(cycle)
    cp = w.pages.page("pdsa_cycle")
    cp.tabs.setCurrentWidget(cp.feedback)
    panel = cp.feedback
    panel.member.setCurrentIndex(panel.member.findData(_member(w, "Keisha Moore")))
    assert "only coaches and facilitators give coaching feedback" in panel.why.text()
    assert not panel.give.isEnabled()
    panel.member.setCurrentIndex(panel.member.findData(_member(w, "Priya Raman")))
    panel.member.activated.emit(panel.member.currentIndex())
    assert panel.give.isEnabled() and panel.why.text() == ""
    QTest.keyClicks(panel.parts["strengths"], "Predictions written before the test.")
    QTest.keyClicks(panel.parts["next_step"], "Run it for a second week.")
    panel.given.setText("2026-03-01")
    qtbot.mouseClick(panel.give, Qt.MouseButton.LeftButton)
    with w.workspace.read() as s:
        [fb] = s.scalars(select(CoachingFeedback).where(CoachingFeedback.cycle_id == cycle))
        assert (fb.strengths, fb.next_step, fb.given.isoformat(), fb.author_id) == (
            "Predictions written before the test.", "Run it for a second week.",
            "2026-03-01", _member(w, "Priya Raman"))
    assert "Predictions written before the test." in panel.shown.toPlainText()
    shot(w, "feedback")
    w.select_path("Great Lakes Focus Schools NIC/Coaching")
    page.reload()
    assert not {s.site: s for s in page.sites}["Harbor Early College"].cycles[0].owed


def test_inbox_leads_to_the_cycle_and_a_chart_point_takes_comments(qtbot,
                                                                   demo_copy: Path) -> None:
    from nicdesk.store.workspace import Workspace

    with Workspace.open(demo_copy) as ws:  # Robert Tran is asked a question at Pine Valley
        from nicdesk.store.ops.discussion import choose_me
        from nicdesk.store.views.nav_tree import INBOX_COUNTS

        with ws.read() as s:
            robert = s.scalars(select(Member.id).where(Member.name == "Robert Tran")).one()
        choose_me(ws, robert)
        ws.set_meta(**{INBOX_COUNTS: ""})
    w = window_on(qtbot, demo_copy)
    assert w.select_path("Great Lakes Focus Schools NIC/Inbox")
    assert w.navigator.current_node().label == "Inbox (1)"
    page = w.pages.page("inbox")
    [row] = page.rows()
    assert row.text(0) == "PDSA cycle: Advisory check-ins, cycle 1"
    page._open(row)
    cycle = w.stack.currentWidget()
    assert cycle is w.pages.page("pdsa_cycle")
    assert cycle.cycle_id == _cycle(w, "Pine Valley High School",
                                    "Advisory check-ins, cycle 1")
    # a comment on one point of a chart
    assert w.select_path("Eastside High School/Measures/9th graders on track")
    mp = w.stack.currentWidget()
    mp.tabs.setCurrentWidget(mp.discussion)
    mp.discussion.select_point(dt.date(2025, 3, 1))
    assert mp.discussion.point.currentText() == "the point of 2025-03-01"
    QTest.keyClicks(mp.discussion.panel.edit, "Same jump as Lincoln?")
    qtbot.mouseClick(mp.discussion.panel.post, Qt.MouseButton.LeftButton)
    with w.workspace.read() as s:
        stored = s.scalars(select(Comment).where(Comment.text == "Same jump as Lincoln?")).one()
        assert (stored.subject_kind, stored.point_period, stored.author_id) == (
            "measure", dt.date(2025, 3, 1), robert)
    texts = [mp.discussion.panel.tree.topLevelItem(i).text(0)
             for i in range(mp.discussion.panel.tree.topLevelItemCount())]
    assert any("[point 2025-03-01]" in t and "Same jump as Lincoln?" in t for t in texts)


def test_comments_on_a_driver_and_a_cause(qtbot, demo_copy: Path) -> None:
    from nicdesk.store.schema import Cause, DriverNode

    w = window_on(qtbot, demo_copy, "Great Lakes Focus Schools NIC/Driver diagrams/Theory")
    editor = w.stack.currentWidget()
    with w.workspace.read() as s:
        node = s.scalars(select(DriverNode).where(
            DriverNode.diagram_id == editor.diagram_id, DriverNode.level == "primary")
            .order_by(DriverNode.position)).first()
        node_id, node_text = node.id, node.text
    editor.scene.select_only(node_id)
    panel = editor.details.discussion
    QTest.keyClicks(panel.edit, "Is this driver still the biggest?")
    qtbot.mouseClick(panel.post, Qt.MouseButton.LeftButton)
    with w.workspace.read() as s:
        stored = s.scalars(select(Comment).where(Comment.subject_id == node_id)).one()
        assert (stored.subject_kind, stored.text) == ("driver_node",
                                                      "Is this driver still the biggest?")
    assert [t.subject.label for t in panel.threads] == [f"Driver: {node_text}"]
    assert w.select_path("Lincoln High School/Fishbones/Why do")
    fish = w.stack.currentWidget()
    with w.workspace.read() as s:
        cause = s.scalars(select(Cause).where(Cause.fishbone_id == fish.fishbone_id)).first()
        cause_id = cause.id
    fish.scene.select_only(cause_id)
    cp = fish.details.discussion
    QTest.keyClicks(cp.edit, "Seen at Eastside too.")
    qtbot.mouseClick(cp.post, Qt.MouseButton.LeftButton)
    with w.workspace.read() as s:
        assert s.scalars(select(Comment.subject_kind).where(
            Comment.subject_id == cause_id)).one() == "cause"
    shot(w, "cause")


def test_a_mention_of_nobody_is_pointed_out_after_posting(qtbot, demo_copy: Path) -> None:
    """"@Pryia" (a typo, not chosen from the list) is posted, and the panel says that
    nobody was told — the writer would otherwise wait for an answer that cannot come."""
    w = window_on(qtbot, demo_copy)
    w.pages.open_cycle(_cycle(w, "Lincoln High School", "Advisory check-ins, cycle 1"))
    page = w.pages.page("pdsa_cycle")
    page.tabs.setCurrentWidget(page.discussion)
    panel = page.discussion
    QTest.keyClicks(panel.edit, "Could @Pryia share the script?")
    qtbot.mouseClick(panel.post, Qt.MouseButton.LeftButton)
    assert _comments(w)["Could @Pryia share the script?"] == (None, False, ())
    assert panel.note.text().startswith("Posted, but @Pryia names no member of this "
                                        "network, so nobody was told.")
    shot(w, "mention-of-nobody")
    # a reply naming a real member draws no such note
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    QTest.keyClicks(panel.edit, "I meant @Priya Raman")
    qtbot.mouseClick(panel.reply, Qt.MouseButton.LeftButton)
    assert _comments(w)["I meant @Priya Raman"][2] == (_member(w, "Priya Raman"),)
    assert "nobody was told" not in panel.note.text()


def test_a_question_imported_at_the_hub_leads_to_its_point(qtbot, tmp_path: Path) -> None:
    """A principal asks the hub's coach about one point of Lincoln's chart; the bundle is
    imported at the hub through the window.  The navigator's count follows the import,
    the Inbox lists the question once (new, and marked as mentioning the coach), and a
    double-click lands on the measure's Discussion tab with that comment selected."""
    from PySide6.QtWidgets import QMessageBox

    from nicdesk.store.ops.discussion import choose_me, post_comment
    from nicdesk.store.schema import Measure
    from nicdesk.store.workspace import Workspace

    from ..bundle.exchange_helpers import export, ids, make_network
    from .conftest import when_modal

    coord, sites = make_network(tmp_path, ("Lincoln", "Eastside"))
    known = ids(sites["Lincoln"])
    with Workspace.open(coord) as ws:
        choose_me(ws, ws.ops.create("member", site_id=known["sites"]["Hub"],
                                    name="Ben Okafor", role="coach").id)
    with Workspace.open(sites["Lincoln"]) as ws:
        choose_me(ws, ws.ops.create("member", site_id=known["sites"]["Lincoln"],
                                    name="Ana Lopez", role="principal").id)
    # the hub's coach must be known at Lincoln for the mention to resolve there
    from nicdesk.bundle.importer import import_bundle

    with Workspace.open(sites["Lincoln"]) as ws:
        import_bundle(ws, export(coord, tmp_path / "d1.nicbundle", "digest"))
        with ws.read() as s:
            measure = s.scalars(select(Measure.id)).one()
        question = post_comment(ws, subject_kind="measure", subject_id=measure,
                                text="@Ben Okafor why did March drop?",
                                point_period=dt.date(2026, 3, 1),
                                chart_site_id=known["sites"]["Lincoln"]).id
    bundle = export(sites["Lincoln"], tmp_path / "lincoln.nicbundle")
    w = window_on(qtbot, coord, size=(1366, 768))
    assert w.select_path("NIC/Inbox")
    assert w.navigator.current_node().label == "Inbox"
    when_modal(QMessageBox, lambda box: box.accept())
    w.commands.import_bundles([str(bundle)])
    settle(50)
    assert w.select_path("NIC/Inbox")
    assert w.navigator.current_node().label == "Inbox (1)"
    page = w.pages.page("inbox")
    [row] = page.rows()
    assert row.text(0) == "Measure: On track (point 2026-03-01)"
    assert row.text(3) == "[mentions you] @Ben Okafor why did March drop?"
    shot(w, "hub-inbox")
    page._open(row)
    measure_page = w.stack.currentWidget()
    assert measure_page.tabs.currentWidget() is measure_page.discussion
    assert measure_page.discussion.panel.selected_comment().id == question
    shot(w, "hub-measure-discussion")


def test_the_coaching_page_says_what_owed_and_last_contact_mean(qtbot,
                                                                 demo_copy: Path) -> None:
    """The site line says how many of its listed cycles still need feedback, and how
    long ago the last contact was — the two things a visit plan is made from."""
    from nicdesk.ui.discussion.coaching import contact_words

    w = window_on(qtbot, demo_copy, size=(1366, 768))
    assert w.select_path("Great Lakes Focus Schools NIC/Coaching")
    page = w.pages.page("coaching")
    heads = {page.tree.topLevelItem(i).text(0): page.tree.topLevelItem(i)
             for i in range(page.tree.topLevelItemCount())}
    harbor = heads["Harbor Early College"]
    assert harbor.text(1) == "1 of 3 needs feedback"
    assert [harbor.child(i).text(1) for i in range(3)] == [
        "no feedback yet", "given 2025-10-22 by Priya Raman",
        "given 2025-09-24 by Priya Raman"]
    site = next(s for s in page.sites if s.site == "Harbor Early College")
    assert harbor.text(2) == contact_words(site, dt.date.today())
    later = site.last_contact + dt.timedelta(days=20)
    assert contact_words(site, later) == f"{site.last_contact}, 2 weeks ago (a meeting)"
    assert contact_words(site, site.last_contact) == f"{site.last_contact}, today (a meeting)"
    shot(w, "coaching-1366")
