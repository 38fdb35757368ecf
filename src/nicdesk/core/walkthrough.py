"""The guided first cycle, the pure part: which step comes next and whether it is done.

A new team is taken from a problem to a fishbone, a driver diagram, a first PDSA cycle
and a measure, in its own workspace.  Nothing here remembers a click: every step is read
from what is stored (`WalkthroughFacts`, filled by `store.views.walkthrough`), so a
walkthrough left halfway resumes at the right step when the workspace is opened again,
and work done another way (a fishbone drafted from the menu, data imported from CSV)
counts the same.

`progress(facts)` returns every step with its state, the first step not done (the one
the panel offers), and for the steps that work on a record the record to open (`target`).
Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: causes a fishbone needs before the walkthrough moves on to the theory
MIN_CAUSES = 3

#: the names a new cause and a new measure get until the person types one (the fishbone
#: editor and Add measure use these): a record still so named is not yet the team's work
PLACEHOLDER_CAUSE = "New cause"
PLACEHOLDER_MEASURE = "New measure"


def named(text: str, placeholder: str) -> bool:
    """Whether `text` is a name someone typed: not blank, not the placeholder."""
    return bool(text.strip()) and text.strip() != placeholder


@dataclass(frozen=True)
class FishboneFacts:
    """A fishbone: its problem and how many causes have a typed text (a cause still
    named `PLACEHOLDER_CAUSE` does not count)."""

    id: str
    problem: str
    causes: int


@dataclass(frozen=True)
class DiagramFacts:
    """A driver diagram by its nodes: the aim's text and the node ids at each level."""

    id: str
    aim: str
    primaries: tuple[str, ...] = ()
    secondaries: tuple[str, ...] = ()
    change_ideas: tuple[str, ...] = ()


@dataclass(frozen=True)
class CycleFacts:
    """A PDSA cycle: the driver-diagram node of the change idea it tests (None: none, or
    an idea on no node) and what the PDSA page still lists as "Not finished yet"
    (`core.pdsa.problems`, the page's own rule): the plan is complete when nothing is."""

    id: str
    idea_node: str | None
    todo: tuple[str, ...] = ()

    @property
    def planned(self) -> bool:
        return not self.todo


@dataclass(frozen=True)
class MeasureFacts:
    """A measure seen at the site, with the observations the site has entered, its name
    and its operational definition."""

    id: str
    observations: int
    name: str = ""
    definition: str = ""

    @property
    def ready(self) -> bool:
        """Named (not `PLACEHOLDER_MEASURE`) and defined: the measure page takes data."""
        return named(self.name, PLACEHOLDER_MEASURE) and bool(self.definition.strip())


@dataclass(frozen=True)
class WalkthroughFacts:
    """What is stored for one site (None: the workspace has no site yet)."""

    site_id: str | None
    network_id: str | None
    fishbones: tuple[FishboneFacts, ...] = ()
    diagrams: tuple[DiagramFacts, ...] = ()
    cycles: tuple[CycleFacts, ...] = ()
    measures: tuple[MeasureFacts, ...] = ()


@dataclass(frozen=True)
class Step:
    """A step as the panel shows it.  `instruction` names where the action is (menu,
    navigator item, button, key); `note` says what is still missing in this workspace;
    `target` is the record the step works on (a fishbone to add causes to, a diagram,
    a cycle to plan, a measure to enter data into), `node` a diagram node to select."""

    key: str
    title: str
    instruction: str
    guide: str
    done: bool = False
    note: str = ""
    target: str | None = None
    node: str | None = None


@dataclass(frozen=True)
class Progress:
    steps: tuple[Step, ...]
    current: Step | None = field(default=None)

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def finished(self) -> bool:
        return self.current is None


#: the steps in order: key, title, instruction (where to act), guide page slug
STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("site", "Your school",
     "Add your school or team: Network → Add Site….", "model-for-improvement"),
    ("problem", "Name the problem",
     "In the navigator, under your school, select Fishbones and click “New fishbone…”. "
     "Type the problem your team sees, e.g. “Too many 9th graders fail a course”.",
     "fishbone"),
    ("causes", "List the causes",
     f"Open the fishbone, select the bone (category) the cause belongs to, press Tab and "
     f"type the cause, then Enter. Enter adds the next one. List at least {MIN_CAUSES}.",
     "fishbone"),
    ("aim", "Write the aim",
     "Under your school, select Driver diagrams and click “New driver diagram…”. Type "
     "the aim: how much, by when, for whom.", "driver-diagrams"),
    ("primary", "Add a primary driver",
     "In the driver diagram, select the aim and press Tab (Add child), then type what "
     "most moves the aim and press Enter.", "driver-diagrams"),
    ("change_idea", "Add a change idea",
     "Change ideas are the last column: select a secondary driver and press Tab, then "
     "type a change you can test.", "change-ideas"),
    ("cycle", "Start a PDSA cycle",
     "In the driver diagram, select the change idea and click “New PDSA cycle” "
     "(PDSA → New PDSA cycle, Ctrl+Shift+P).", "pdsa"),
    ("plan", "Plan the cycle",
     "On the cycle's Plan tab, write the Objective (what do we want to learn?), then "
     "click “Add question”: type a question the test should answer and, beside it, your "
     "prediction. The plan is complete when the page no longer says “Not finished yet”.",
     "pdsa"),
    ("measure", "Add a measure",
     "Under your school, select Measures and click “Add measure”. On its Definition tab, "
     "type its name and its operational definition (exactly what is counted): the Data "
     "tab takes values once the measure is defined.", "measures"),
    ("data", "Enter a first value",
     "With its name and operational definition written, open the measure's Data tab and "
     "type a date and a value in the last row.", "run-charts"),
)


def _best_fishbone(facts: WalkthroughFacts) -> FishboneFacts | None:
    return max(facts.fishbones, key=lambda f: (bool(f.problem.strip()), f.causes),
               default=None)


def _best_diagram(facts: WalkthroughFacts) -> DiagramFacts | None:
    return max(facts.diagrams, key=lambda d: (bool(d.change_ideas), bool(d.primaries),
                                              bool(d.aim.strip()), len(d.secondaries)),
               default=None)


def _measure_note(m: MeasureFacts | None) -> str:
    """What the measure being added still needs, in the Definition tab's words."""
    if m is None:
        return ""
    missing = [what for what, ok in (("a name", named(m.name, PLACEHOLDER_MEASURE)),
                                     ("an operational definition",
                                      bool(m.definition.strip()))) if not ok]
    shown = f"“{m.name.strip()}”" if named(m.name, PLACEHOLDER_MEASURE) else "The new measure"
    return f"{shown} still needs {' and '.join(missing)} on its Definition tab."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def progress(facts: WalkthroughFacts) -> Progress:
    """Every step with its state, and the first step not done (None: all done)."""
    fishbone = _best_fishbone(facts)
    diagram = _best_diagram(facts)
    ideas = diagram.change_ideas if diagram is not None else ()
    cycles = [c for c in facts.cycles if c.idea_node is not None and c.idea_node in ideas]
    planned = next((c for c in cycles if c.planned), None)
    # only a named, defined measure counts: the measure page takes no data before
    measures = sorted((m for m in facts.measures if m.ready), key=lambda m: -m.observations)
    measure = measures[0] if measures else None
    # a measure added but not yet named or defined: the one to finish (never a second)
    unfinished = next((m for m in facts.measures if not m.ready), None)
    causes = fishbone.causes if fishbone is not None else 0
    state: dict[str, tuple[bool, str, str | None, str | None]] = {
        "site": (facts.site_id is not None, "", None, None),
        "problem": (fishbone is not None and bool(fishbone.problem.strip()), "",
                    None, None),
        "causes": (causes >= MIN_CAUSES,
                   f"{causes} of {MIN_CAUSES} causes so far." if fishbone is not None
                   else "", fishbone.id if fishbone else None, None),
        "aim": (diagram is not None and bool(diagram.aim.strip()), "", None, None),
        "primary": (diagram is not None and bool(diagram.primaries), "",
                    diagram.id if diagram else None, None),
        "change_idea": (bool(ideas),
                        "" if diagram is None or diagram.secondaries else
                        "First a secondary driver: select the primary driver and press "
                        "Tab; then Tab again from the secondary driver.",
                        diagram.id if diagram else None,
                        (diagram.secondaries or diagram.primaries or (None,))[0]
                        if diagram else None),
        "cycle": (bool(cycles), "", diagram.id if diagram else None,
                  ideas[0] if ideas else None),
        "plan": (planned is not None,
                 "Still missing: " + " ".join(cycles[0].todo) if cycles else "",
                 cycles[0].id if cycles else None, None),
        "measure": (measure is not None, _measure_note(unfinished),
                    unfinished.id if unfinished is not None else None, None),
        "data": (measure is not None and measure.observations > 0, "",
                 measure.id if measure else None, None),
    }
    steps: list[Step] = []
    for key, title, instruction, guide in STEPS:
        done, note, target, node = state[key]
        if key == "causes" and done:
            note = f"{_plural(causes, 'cause')} listed."
        steps.append(Step(key, title, instruction, guide, done, "" if done and key !=
                          "causes" else note, target, node))
    current = next((s for s in steps if not s.done), None)
    return Progress(tuple(steps), current)
