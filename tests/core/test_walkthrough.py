"""The guided first cycle's rules: which step is next and whether it is done, read from
plain facts (no Qt, no store)."""

from __future__ import annotations

from nicdesk.core.walkthrough import (
    MIN_CAUSES,
    PLACEHOLDER_MEASURE,
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
    elsewhere = facts(**base, cycles=(CycleFacts("x", None), CycleFacts("y", "other")))
    assert progress(elsewhere).current.key == "cycle"
    todo = ("Add at least one question the test should answer.",)
    unplanned = facts(**base, cycles=(CycleFacts("k1", "c1", todo),))
    p = progress(unplanned)
    assert p.current.key == "plan" and p.current.target == "k1"
    assert todo[0] in p.current.note  # the page's own words
    planned = facts(**base, cycles=(CycleFacts("k1", "c1"),))
    assert progress(planned).current.key == "measure"


def test_measure_then_data_then_finished() -> None:
    base = dict(fishbones=(FishboneFacts("f1", "P", 4),),
                diagrams=(DiagramFacts("d1", "Aim", ("p1",), ("s1",), ("c1",)),),
                cycles=(CycleFacts("k1", "c1"),))
    empty = facts(**base, measures=(MeasureFacts("m1", 0, "On track", "9th graders ..."),))
    p = progress(empty)
    assert p.current.key == "data" and p.current.target == "m1"
    full = facts(**base, measures=(MeasureFacts("m1", 0, "On track", "Each month ..."),
                                   MeasureFacts("m2", 1, "Check-ins", "Each week ...")))
    p = progress(full)
    assert p.finished and p.current is None and p.done == len(STEPS)


def test_steps_done_out_of_order_are_checked_off_and_the_first_gap_is_next() -> None:
    only_data = facts(measures=(MeasureFacts("m1", 12, "On track", "Each month ..."),))
    assert done(only_data) == ["site", "measure", "data"]
    assert progress(only_data).current.key == "problem"


def test_every_step_links_to_a_guide_page() -> None:
    from nicdesk.guide import PAGES

    assert {guide for *_rest, guide in STEPS} <= set(PAGES)


def test_placeholder_causes_do_not_count() -> None:
    """The store counts only causes with a typed text; the rule is `named`."""
    from nicdesk.core.walkthrough import PLACEHOLDER_CAUSE, named

    assert not named(PLACEHOLDER_CAUSE, PLACEHOLDER_CAUSE)
    assert not named(f"  {PLACEHOLDER_CAUSE} ", PLACEHOLDER_CAUSE) and not named(" ", "x")
    assert named("Nobody notices a first F", PLACEHOLDER_CAUSE)


def test_a_measure_counts_once_named_and_defined_and_is_finished_not_added_again() -> None:
    base = dict(fishbones=(FishboneFacts("f1", "P", 4),),
                diagrams=(DiagramFacts("d1", "Aim", ("p1",), ("s1",), ("c1",)),),
                cycles=(CycleFacts("k1", "c1"),))
    for name, definition, missing in (
            (PLACEHOLDER_MEASURE, "", "a name and an operational definition"),
            ("On track", "", "an operational definition"),
            (PLACEHOLDER_MEASURE, "Each month, ...", "a name")):
        p = progress(facts(**base, measures=(MeasureFacts("m1", 0, name, definition),)))
        assert p.current.key == "measure", (name, definition)
        assert p.current.target == "m1"  # Do it opens this one, never adds a second
        assert p.current.note.endswith(f"still needs {missing} on its Definition tab.")
    p = progress(facts(**base, measures=(MeasureFacts("m1", 0, "On track", "Each month"),)))
    assert p.current.key == "data" and p.current.target == "m1"


def test_the_measure_steps_say_the_definition_comes_before_the_data() -> None:
    """The measure page refuses data without an operational definition: the measure
    step asks for it on the Definition tab, before the Data tab."""
    text = dict((key, instruction) for key, _t, instruction, _g in STEPS)
    measure = text["measure"]
    assert "operational definition" in measure
    assert measure.index("Definition tab") < measure.index("Data")
    assert "operational definition" in text["data"]


def test_the_instructions_name_no_category_a_template_may_lack() -> None:
    text = dict((key, instruction) for key, _t, instruction, _g in STEPS)
    assert "People" not in text["causes"] and "Methods" not in text["causes"]
    assert "bone" in text["causes"]
    plan = text["plan"]
    assert "Objective" in plan and "question" in plan and "prediction" in plan
    assert " or add" not in plan  # all of it is needed, not either
