"""The guided first cycle's rules: which step is next and whether it is done, read from
plain facts (no Qt, no store)."""

from __future__ import annotations

from nicdesk.core.walkthrough import (
    MIN_CAUSES,
    STEPS,
    CycleFacts,
    DiagramFacts,
    FishboneFacts,
    MeasureFacts,
    WalkthroughFacts,
    progress,
)

KEYS = [s[0] for s in STEPS]


def facts(**kw) -> WalkthroughFacts:
    return WalkthroughFacts(kw.pop("site_id", "s1"), "n1", **kw)


def done(f: WalkthroughFacts) -> list[str]:
    return [s.key for s in progress(f).steps if s.done]


def test_steps_in_order_from_problem_to_measure() -> None:
    assert KEYS == ["site", "problem", "causes", "aim", "primary", "change_idea", "cycle",
                    "plan", "measure", "data"]
    for _key, title, instruction, guide in STEPS:
        assert title and guide
        assert len(instruction) > 30  # says where to act, not only what


def test_no_site_starts_at_the_site() -> None:
    p = progress(facts(site_id=None))
    assert p.current is not None and p.current.key == "site"
    assert p.done == 0 and not p.finished


def test_fresh_school_starts_at_the_problem() -> None:
    p = progress(facts())
    assert done(facts()) == ["site"]
    assert p.current is not None and p.current.key == "problem"


def test_causes_count_up_to_three_on_the_fullest_fishbone() -> None:
    two = facts(fishbones=(FishboneFacts("f1", "Too many fail", 2),
                           FishboneFacts("f2", "", 0)))
    p = progress(two)
    assert p.current is not None and p.current.key == "causes"
    assert p.current.target == "f1"
    assert p.current.note == f"2 of {MIN_CAUSES} causes so far."
    three = facts(fishbones=(FishboneFacts("f1", "Too many fail", MIN_CAUSES),))
    assert progress(three).current.key == "aim"
    assert "causes" in done(three)


def test_a_fishbone_without_a_problem_is_not_a_problem_named() -> None:
    assert "problem" not in done(facts(fishbones=(FishboneFacts("f", "  ", 5),)))


def test_driver_diagram_steps_and_the_secondary_driver_hint() -> None:
    base = dict(fishbones=(FishboneFacts("f1", "P", 3),))
    aim_only = facts(**base, diagrams=(DiagramFacts("d1", "By June 2027, 85 %"),))
    p = progress(aim_only)
    assert p.current.key == "primary" and p.current.target == "d1"
    primary = facts(**base, diagrams=(DiagramFacts("d1", "Aim", ("p1",)),))
    p = progress(primary)
    assert p.current.key == "change_idea"
    assert p.current.node == "p1" and "secondary driver" in p.current.note
    secondary = facts(**base, diagrams=(DiagramFacts("d1", "Aim", ("p1",), ("s1",)),))
    p = progress(secondary)
    assert p.current.key == "change_idea" and p.current.node == "s1" and p.current.note == ""
    idea = facts(**base, diagrams=(DiagramFacts("d1", "Aim", ("p1",), ("s1",), ("c1",)),))
    p = progress(idea)
    assert p.current.key == "cycle" and (p.current.target, p.current.node) == ("d1", "c1")


def test_the_cycle_must_test_the_diagrams_change_idea_and_be_planned() -> None:
    base = dict(fishbones=(FishboneFacts("f1", "P", 3),),
                diagrams=(DiagramFacts("d1", "Aim", ("p1",), (), ("c1",)),))
    elsewhere = facts(**base, cycles=(CycleFacts("x", None, True),
                                      CycleFacts("y", "other", True)))
    assert progress(elsewhere).current.key == "cycle"
    unplanned = facts(**base, cycles=(CycleFacts("k1", "c1", False),))
    p = progress(unplanned)
    assert p.current.key == "plan" and p.current.target == "k1"
    planned = facts(**base, cycles=(CycleFacts("k1", "c1", True),))
    assert progress(planned).current.key == "measure"


def test_measure_then_data_then_finished() -> None:
    base = dict(fishbones=(FishboneFacts("f1", "P", 4),),
                diagrams=(DiagramFacts("d1", "Aim", ("p1",), ("s1",), ("c1",)),),
                cycles=(CycleFacts("k1", "c1", True),))
    empty = facts(**base, measures=(MeasureFacts("m1", 0),))
    p = progress(empty)
    assert p.current.key == "data" and p.current.target == "m1"
    full = facts(**base, measures=(MeasureFacts("m1", 0), MeasureFacts("m2", 1)))
    p = progress(full)
    assert p.finished and p.current is None and p.done == len(STEPS)


def test_steps_done_out_of_order_are_checked_off_and_the_first_gap_is_next() -> None:
    only_data = facts(measures=(MeasureFacts("m1", 12),))
    assert done(only_data) == ["site", "measure", "data"]
    assert progress(only_data).current.key == "problem"


def test_every_step_links_to_a_guide_page() -> None:
    from nicdesk.guide import PAGES

    assert {guide for *_rest, guide in STEPS} <= set(PAGES)
