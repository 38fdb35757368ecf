"""IHI's progress scale for teams in a collaborative, as plain rules (no Qt, no SQL).

Source: the Institute for Healthcare Improvement's "Assessment Scale for Collaboratives",
developed for the IHI Breakthrough Series Collaborative (IHI, Cambridge MA; see also
"The Breakthrough Series: IHI's Collaborative Model for Achieving Breakthrough
Improvement", IHI Innovation Series white paper, 2003).  IHI publishes it as a template
to adapt; the short names below are IHI's, the explanations are NICdesk's wording for a
school improvement network (they paraphrase IHI's operational definitions, they do not
quote them).  Teams are usually scored monthly by the hub (and by themselves).

Why a module of its own: the dialog that enters a score, the step chart, the small
multiples, packets and the year-in-review report must all say the same thing about what
"2.5" means, and `core.entities.PROGRESS_SCORES` only holds the stored values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .entities import PROGRESS_SCORES

SOURCE = ("IHI Breakthrough Series: “IHI Assessment Scale for Collaboratives” "
          "(Institute for Healthcare Improvement)")


@dataclass(frozen=True)
class Level:
    """One step of the scale: its stored value, IHI's short name and what it means."""

    score: str  # as stored: "0.5" … "5.0"
    name: str
    meaning: str

    @property
    def value(self) -> float:
        return float(self.score)

    @property
    def title(self) -> str:
        """"2.5 — Changes tested but no improvement": how lists and charts name it."""
        return f"{self.score} — {self.name}"


SCALE: tuple[Level, ...] = (
    Level("0.5", "Intent to participate",
          "The site has signed up; its team is not formed yet."),
    Level("1.0", "Charter and team established",
          "A team is named and meets; it is agreeing its aim, who it serves and how it "
          "will measure, and starts gathering baseline data."),
    Level("1.5", "Planning for the project has begun",
          "The team meets regularly, its aim is set, its measures match the aim, and it "
          "knows where it will start and what it needs."),
    Level("2.0", "Activity but no changes",
          "Learning has started (baseline data, process maps, surveys), and changes are "
          "planned but none has been tested yet."),
    Level("2.5", "Changes tested but no improvement",
          "PDSA cycles are testing changes; the key measures are charted and discussed, "
          "but they show no improvement yet."),
    Level("3.0", "Modest improvement",
          "First tests are done and some changes are in use on a small scale; process "
          "measures show some movement toward the goal."),
    Level("3.5", "Improvement",
          "Testing and implementation go on; process measures keep improving and outcome "
          "measures begin to move."),
    Level("4.0", "Significant improvement",
          "Changes are in place for the whole group of students in focus; outcome "
          "measures show sustained improvement, and about half the goals are met."),
    Level("4.5", "Sustainable improvement",
          "Most goals are met and the improvement holds; the team plans how the changes "
          "will last and spread."),
    Level("5.0", "Outstanding sustainable results",
          "Every goal is met, results have held over time, and the changes are spreading "
          "beyond the first classrooms or school."),
)
LEVELS: dict[str, Level] = {lv.score: lv for lv in SCALE}
assert tuple(LEVELS) == PROGRESS_SCORES, "the scale and the stored choices must agree"
LOWEST, HIGHEST = SCALE[0].value, SCALE[-1].value


def level(score: str) -> Level:
    """The level of a stored score; ValueError (a sentence for a person) otherwise."""
    lv = LEVELS.get(normal_score(score))
    if lv is None:
        raise ValueError(f"{score!r} is not a progress score: choose one of "
                         f"{', '.join(PROGRESS_SCORES)} on IHI's scale.")
    return lv


def normal_score(text: str) -> str:
    """A typed score in its stored spelling: "3" → "3.0", " 2.5 " → "2.5"; anything that
    is not a number on the scale is returned stripped (`level` refuses it)."""
    text = text.strip()
    try:
        number = float(text)
    except ValueError:
        return text
    spelled = f"{number:.1f}"
    return spelled if spelled in LEVELS else text


@dataclass(frozen=True)
class ScorePoint:
    """One recorded score: when, which level, and the note that justifies it."""

    date: dt.date
    score: str
    note: str = ""

    @property
    def value(self) -> float:
        return float(self.score)


def ordered(points: Iterable[ScorePoint]) -> list[ScorePoint]:
    """Oldest first; two scores on one day keep the order they came in (the later one
    stands, as a person correcting a score the same day expects)."""
    return sorted(points, key=lambda p: p.date)


def step_points(points: Iterable[ScorePoint], until: dt.date | None = None
                ) -> tuple[list[dt.date], list[float]]:
    """The corners of a step chart: each score holds from its date until the next one;
    the last holds until `until` (the end of the view) when that is later.  Returns the
    x edges (one more than the values, as pyqtgraph's stepMode="center" and a drawn step
    line both need) and the values.  Scores on the same day: the last one counts."""
    by_day: dict[dt.date, float] = {}
    for p in ordered(points):
        by_day[p.date] = p.value
    days = sorted(by_day)
    if not days:
        return [], []
    end = max(until or days[-1], days[-1])
    if end == days[-1]:
        end = days[-1] + dt.timedelta(days=1)  # the last score still shows as a step
    return [*days, end], [by_day[d] for d in days]


def latest(points: Iterable[ScorePoint], on: dt.date | None = None) -> ScorePoint | None:
    """The score that stood on `on` (the newest when None)."""
    chosen = [p for p in ordered(points) if on is None or p.date <= on]
    return chosen[-1] if chosen else None


def change(points: Iterable[ScorePoint], start: dt.date, end: dt.date
           ) -> tuple[ScorePoint | None, ScorePoint | None]:
    """The score standing at `start` (or the first one in the range when none stood yet)
    and the one standing at `end`: how far a site came over a period."""
    pts = ordered(points)
    before = latest(pts, start) or next((p for p in pts if start <= p.date <= end), None)
    return before, latest(pts, end)


def describe_change(first: ScorePoint | None, last: ScorePoint | None) -> str:
    """"from 1.5 to 3.0 (Modest improvement)" — the words a report and a tooltip use."""
    if last is None:
        return "no score recorded"
    now = f"{last.score} ({LEVELS[last.score].name})" if last.score in LEVELS else last.score
    if first is None or first.score == last.score:
        return f"{now}, unchanged" if first is not None else now
    return f"from {first.score} to {now}"
