"""PDSA cycles, the pure part: where a cycle stands and what it still lacks.

Teams write PDSA forms in pieces, so nothing here blocks saving: `problems` lists what is
incomplete, in words, and `stage` says where the cycle stands (planning → doing →
studying → done) from what has been written, not from a separate status field that could
disagree with the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .states import PdsaStage

STAGES: tuple[str, ...] = tuple(x.value for x in PdsaStage)


@dataclass(frozen=True)
class CycleFacts:
    """What `stage` and `problems` need to know about one cycle."""

    title: str
    change_idea: bool
    questions: int
    predictions: int
    results: int
    start: dt.date | None
    end: dt.date | None
    did: bool  # anything written under Do
    learned: bool  # anything written under Study
    decision: str
    act_next: str


def stage(c: CycleFacts, today: dt.date) -> PdsaStage:
    if c.decision:
        return PdsaStage.DONE
    if c.learned or c.results:
        return PdsaStage.STUDYING
    if c.did or (c.start is not None and c.start <= today):
        return PdsaStage.DOING
    return PdsaStage.PLANNING


def overdue(c: CycleFacts, today: dt.date) -> bool:
    """The test should be over but nothing has been studied yet."""
    return c.end is not None and c.end < today and not (c.learned or c.results or c.decision)


def problems(c: CycleFacts) -> list[str]:
    out = []
    if not c.change_idea:
        out.append("Which change idea does this cycle test? Choose one under Plan.")
    if not c.questions:
        out.append("Add at least one question the test should answer.")
    elif c.predictions < c.questions:
        out.append("Write a prediction for every question before the test starts.")
    if c.start and c.end and c.end < c.start:
        out.append("The end date is before the start date.")
    if c.decision and not c.act_next.strip():
        out.append(f"Say why you decided to {c.decision}, and what comes next.")
    return out
