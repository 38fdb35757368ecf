"""Comments travel like every other record: a question asked at school A reaches school
B through the coordinator's digest, B's answer comes back the same way, and only the
site that started a thread resolves it.  A site that writes another site's comment —
signed with its own, genuinely enrolled key — is refused on import.

Real workspaces, real Ed25519 keys, real signed bundles and digests, the real importer.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from nicdesk.bundle import keys
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.ops.discussion import choose_me, post_comment, resolve_block, set_resolved
from nicdesk.store.schema import Comment
from nicdesk.store.views.discussion import threads_on
from nicdesk.store.views.inbox import inbox

from .exchange_helpers import both_dumps, export, ids, make_network, one_line_refusal, resign


def _deliver(bundle: Path, *paths: Path) -> None:
    for path in paths:
        from nicdesk.store.workspace import Workspace

        with Workspace.open(path) as ws:
            import_bundle(ws, bundle)


@pytest.fixture
def net(tmp_path: Path):
    from nicdesk.store.workspace import Workspace

    coord, sites = make_network(tmp_path, ("A", "B"))
    a, b = sites["A"], sites["B"]
    known = ids(a)
    with Workspace.open(a) as ws:
        ana = ws.ops.create("member", site_id=known["sites"]["A"], name="Ana Lopez",
                            role="teacher").id
        cycle = ws.ops.create("pdsa_cycle", site_id=known["sites"]["A"],
                              title="Advisory check-ins", cycle_number=1).id
        choose_me(ws, ana)
    with Workspace.open(b) as ws:
        ben = ws.ops.create("member", site_id=known["sites"]["B"], name="Ben Okafor",
                            role="coach").id
        choose_me(ws, ben)
    # first round: everybody learns everybody's members and the cycle
    _deliver(export(a, tmp_path / "a1.nicbundle"), coord)
    _deliver(export(b, tmp_path / "b1.nicbundle"), coord)
    _deliver(export(coord, tmp_path / "d1.nicbundle", "digest"), a, b)
    return {"root": tmp_path, "coord": coord, "a": a, "b": b, "ana": ana, "ben": ben,
            "cycle": cycle, "sites": known["sites"]}


def _round(net: dict, sender: str, receivers: tuple[str, ...], tag: str) -> None:
    root = net["root"]
    _deliver(export(net[sender], root / f"{sender}-{tag}.nicbundle"), net["coord"])
    _deliver(export(net["coord"], root / f"digest-{tag}.nicbundle", "digest"),
             *(net[r] for r in receivers))


def test_question_and_answer_travel_through_the_hub(net: dict) -> None:
    from nicdesk.store.workspace import Workspace

    with Workspace.open(net["a"]) as ws:
        question = post_comment(ws, subject_kind="pdsa_cycle", subject_id=net["cycle"],
                                text="@Ben Okafor how did you protect advisory time?").id
        assert inbox(ws).new == ()  # my own comment is never news to me
    _round(net, "a", ("b",), "q")
    with Workspace.open(net["b"]) as ws:
        [thread] = threads_on(ws, "pdsa_cycle", net["cycle"])
        assert thread.root.id == question and thread.root.author == "Ana Lopez"
        assert thread.root.site == "A" and thread.root.mention_ids == (net["ben"],)
        assert thread.subject.present and thread.subject.target.kind == "pdsa_cycle"
        box = inbox(ws)
        assert [i.comment.id for i in box.new] == [question]
        assert [(i.comment.id, i.why) for i in box.mentions] == [(question, "mentions you")]
        assert box.count == 1
        assert inbox(ws).count == 1  # looking again does not empty the Inbox
        # B cannot resolve A's thread, and is told why in words
        why = resolve_block(ws, question)
        assert why and why.startswith("This thread was started at A; only A can")
        with pytest.raises(InvalidChangeError, match="only A can mark it resolved"):
            set_resolved(ws, question)
        answer = post_comment(ws, subject_kind="ignored", subject_id="ignored",
                              parent_id=question, text="A 20-minute block on Mondays.").id
    _round(net, "b", ("a",), "answer")
    with Workspace.open(net["a"]) as ws:
        [thread] = threads_on(ws, "pdsa_cycle", net["cycle"])
        assert [c.id for c in thread.replies] == [answer]
        assert thread.replies[0].author == "Ben Okafor" and thread.replies[0].site == "B"
        assert [i.comment.id for i in inbox(ws).new] == [answer]
        set_resolved(ws, question)
    _round(net, "a", ("b",), "resolved")
    with Workspace.open(net["b"]) as ws:
        [thread] = threads_on(ws, "pdsa_cycle", net["cycle"])
        assert thread.resolved
        box = inbox(ws)
        assert box.mentions == ()  # resolved threads no longer ask for me
        assert box.new == ()  # the latest digest brought no new comment, only the flag
    with Workspace.open(net["coord"]) as ws, ws.read() as s:
        stored = {c.id: (c.owner_site_id, c.resolved) for c in s.query(Comment)}
    assert stored == {question: (net["sites"]["A"], True), answer: (net["sites"]["B"], False)}


def test_a_site_writing_another_sites_comment_is_refused(net: dict) -> None:
    """B's genuine bundle, with a comment claiming to be A's (site A, owner A), re-signed
    with B's own enrolled key: the coordinator refuses it and changes nothing."""
    from nicdesk.store.workspace import Workspace

    with Workspace.open(net["b"]) as ws:
        post_comment(ws, subject_kind="pdsa_cycle", subject_id=net["cycle"], text="Genuine")
        private = keys.load(ws.meta()["signing_key"]).private
    genuine = export(net["b"], net["root"] / "b2.nicbundle")

    def forge(_manifest: dict, records: dict) -> None:
        [real] = records["comment"]
        fake = dict(real, id=str(uuid.uuid4()), site_id=net["sites"]["A"],
                    owner_site_id=net["sites"]["A"], author_id=net["ana"],
                    text="A says: we give up")
        records["comment"].append(fake)

    forged = resign(genuine, net["root"] / "forged.nicbundle", private, change=forge)
    before = both_dumps(net["coord"])
    with Workspace.open(net["coord"]) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, forged)
    assert one_line_refusal(str(err.value)), str(err.value)
    assert "is a record of another site" in str(err.value)
    assert both_dumps(net["coord"]) == before
    # the genuine bundle itself is fine
    with Workspace.open(net["coord"]) as ws:
        import_bundle(ws, genuine)
        with ws.read() as s:
            assert [c.text for c in s.query(Comment)] == ["Genuine"]


def test_a_comment_on_a_record_not_here_is_listed_as_such(net: dict) -> None:
    from nicdesk.store.workspace import Workspace

    with Workspace.open(net["a"]) as ws:
        post_comment(ws, subject_kind="meeting", subject_id=str(uuid.uuid4()),
                     text="About the meeting you have not sent yet")
        [thread] = [t for t in inbox_threads(ws) if t.subject.kind == "meeting"]
    assert not thread.subject.present
    assert "not in this workspace" in thread.subject.label


def inbox_threads(ws):
    from nicdesk.store.views.discussion import all_threads

    return all_threads(ws)


def test_posting_as_someone_of_another_site_is_refused(net: dict) -> None:
    from nicdesk.store.workspace import Workspace

    with Workspace.open(net["a"]) as ws:
        before = json.dumps(ws.meta(), sort_keys=True)
        with pytest.raises(InvalidChangeError, match="cannot post from this workspace"):
            choose_me(ws, net["ben"])
        with pytest.raises(InvalidChangeError, match="member of another site"):
            post_comment(ws, subject_kind="pdsa_cycle", subject_id=net["cycle"],
                         text="hello", author_id=net["ben"])
        assert json.dumps(ws.meta(), sort_keys=True) == before
        with ws.read() as s:
            assert s.query(Comment).count() == 0


def test_a_coachs_feedback_reaches_the_school(net: dict) -> None:
    """Ben (a coach at B) gives feedback on A's cycle; it is B's record, and reaches A
    through the hub.  Ana (a teacher) may not give any."""
    import datetime as dt

    from nicdesk.store.ops.discussion import give_feedback
    from nicdesk.store.views.coaching import feedback_on
    from nicdesk.store.workspace import Workspace

    with Workspace.open(net["a"]) as ws:
        with pytest.raises(InvalidChangeError, match="Ana Lopez is a teacher"):
            give_feedback(ws, net["cycle"], strengths="Nice")
    with Workspace.open(net["b"]) as ws:
        give_feedback(ws, net["cycle"], given=dt.date(2026, 3, 2),
                      strengths="Predictions first.", next_step="Two weeks more.")
    _round(net, "b", ("a",), "feedback")
    with Workspace.open(net["a"]) as ws:
        [fb] = feedback_on(ws, net["cycle"])
    assert (fb.coach, fb.site, fb.given, fb.strengths, fb.mine) == (
        "Ben Okafor", "B", dt.date(2026, 3, 2), "Predictions first.", False)


def test_a_workspace_with_nobody_to_post_as_says_what_to_do(net: dict) -> None:
    """The hub has no member of its own yet: "choose who is writing" would send the
    person to an empty list, so the refusal says to add a member first — and the file
    stays exactly as it was."""
    from nicdesk.store.workspace import Workspace

    before = both_dumps(net["coord"])
    with Workspace.open(net["coord"]) as ws:
        with pytest.raises(InvalidChangeError, match="Nobody can post from this workspace "
                                                     "yet: add a member to this site"):
            post_comment(ws, subject_kind="pdsa_cycle", subject_id=net["cycle"],
                         text="How is it going?")
    assert both_dumps(net["coord"]) == before
