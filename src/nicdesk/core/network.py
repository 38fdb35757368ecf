"""Rules of the coordinator's network views (DOMAIN.md "Learning together").

The store reads rows and the GUI, CLI and packets draw; everything that *decides* —
which sites are compared, whether a site's measure is alike enough to compare, which
values small-cell suppression hides, what a panel's status is, what a chart says after a
change, and in which order panels, bright spots and matrix rows appear — lives here, as
plain functions over plain values, so each rule is tested once without Qt or SQL and
every view applies the same one.

Suppression (the network's threshold T, default `DEFAULT_SUPPRESSION_THRESHOLD`): a
proportion or rate whose denominator is below T, and a count between 1 and T − 1, is
never shown (`core.variation.is_suppressed`).  Counts of network activity (PDSA cycles,
sites) describe adults' work, not students, and are shown as they are.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from .signals import Point, Signal
from .states import WITH_DENOMINATOR, Assessment, ValueType
from .variation import is_suppressed, suppression_label

#: The small-count threshold a network uses when it has none of its own (DOMAIN.md).
DEFAULT_SUPPRESSION_THRESHOLD = 10

CONTEXT_TAGS = ("grade_band", "enrolment", "locale")
TAG_LABELS = {"grade_band": "Grade band", "enrolment": "Size", "locale": "Locale"}

#: Signal assessments that count as news about a site (``unusual`` is not judged).
JUDGED = ("improvement", "concern")
_KIND_ORDER = {"outcome": 0, "process": 1, "balancing": 2}


def network_threshold(configured: int | None) -> int:
    """The threshold in force: the network's own, or the default when unset (0/None),
    so no view ever runs with "no suppression" by accident."""
    return int(configured or DEFAULT_SUPPRESSION_THRESHOLD)


# ------------------------------------------------------------------ panel status
class PanelStatus(StrEnum):
    """What a site's small-multiple panel can show.  A `StrEnum`, so the values compare
    equal to (and print as) the plain strings views and tests have always used."""

    OK = "ok"
    NO_DATA = "no data"
    ONE_POINT = "one point"
    SUPPRESSED = "suppressed"
    DEFINED_DIFFERENTLY = "defined differently"
    NO_DENOMINATORS = "no denominators"


#: Panels whose site's totals enter the funnel: suppressed ones too, because the
#: threshold applies to the total over the period, not to each point.
FUNNEL_STATUSES = frozenset({PanelStatus.OK, PanelStatus.ONE_POINT, PanelStatus.SUPPRESSED})


def enters_funnel(status: str) -> bool:
    """Whether a site with this panel status is totalled for the funnel plot."""
    return status in FUNNEL_STATUSES


# ------------------------------------------------------------------ sites and filters
@dataclass(frozen=True)
class ContextFilter:
    """Sites whose context tags match every chosen value ("where" of what works) and,
    when `sites` is given, that are among them (a comparison set such as "schools like
    Alpha", `core.similarity`; `sites_label` names it)."""

    tags: tuple[tuple[str, str], ...] = ()
    sites: frozenset[str] | None = field(default=None, repr=False)
    sites_label: str = field(default="", repr=False)

    @classmethod
    def of(cls, **tags: str | None) -> ContextFilter:
        """A filter from keyword choices; unset (None/'') choices mean "any"."""
        return cls(tuple(sorted((k, v) for k, v in tags.items() if v)))

    def among(self, sites: Iterable[str], label: str) -> ContextFilter:
        """This filter, restricted to `sites` (named `label` in its description)."""
        return ContextFilter(self.tags, frozenset(sites), label)

    def matches(self, site_tags: Mapping[str, Any] | None, site_id: str | None = None) -> bool:
        """True when the site's tags carry every chosen value (and, with a comparison
        set, when `site_id` is in it)."""
        if self.sites is not None and site_id not in self.sites:
            return False
        site_tags = site_tags or {}
        return all(str(site_tags.get(k, "")) == v for k, v in self.tags)

    def describe(self) -> str:
        """The filter in words, for notes under the views."""
        words = ", ".join(f"{TAG_LABELS.get(k, k)}: {v}" for k, v in self.tags)
        if self.sites is not None:
            words = ", ".join(w for w in (self.sites_label or "chosen sites", words) if w)
        return words or "all sites"


ALL_SITES = ContextFilter()  # no filter


def tag_choices(all_tags: Iterable[Mapping[str, Any] | None]) -> dict[str, list[str]]:
    """Every context tag used, with the values sites have: the known tags first in their
    usual order, then the others alphabetically; blank values are no choice."""
    found: dict[str, set[str]] = {}
    for tags in all_tags:
        for k, v in (tags or {}).items():
            if v not in (None, ""):
                found.setdefault(k, set()).add(str(v))
    order = {k: i for i, k in enumerate(CONTEXT_TAGS)}
    return {k: sorted(found[k]) for k in sorted(found, key=lambda k: (order.get(k, 99), k))}


def measure_order(kind: str, name: str) -> tuple[int, str]:
    """Sort key of network measures: outcome, process, balancing, then by name."""
    return _KIND_ORDER.get(kind, 3), name.lower()


# ------------------------------------------------------------------ comparability
@dataclass(frozen=True)
class MeasureDefinition:
    """The parts of a measure's definition that must agree for values to be compared."""

    name: str
    unit: str | None = ""
    value_type: str | None = ""
    definition: str | None = ""
    frequency: str | None = ""


_COMPARED = (("unit", "unit"), ("value_type", "kind of value"),
             ("definition", "operational definition"), ("frequency", "frequency"))


def same_measure_name(a: str, b: str) -> bool:
    """A site's own measure stands for a network measure when their names agree, ignoring
    case and surrounding blanks."""
    return a.strip().casefold() == b.strip().casefold()


def definition_difference(network: MeasureDefinition, local: MeasureDefinition) -> str:
    """How a site's own measure is defined differently from the network's ('' if alike):
    the first differing part, in words quoting the site's version."""
    for attr, label in _COMPARED:
        x = (getattr(network, attr) or "").strip()
        y = (getattr(local, attr) or "").strip()
        if x.casefold() != y.casefold():
            if attr == "definition":
                return f"its operational definition differs from the network's: “{y[:80]}”"
            return f"its {label} is “{y}”, the network's is “{x}”"
    return ""


def not_compared_explanation(local_name: str, difference: str) -> str:
    """The panel text of a site that measures the network's measure its own way."""
    return f"Not compared: this site measures “{local_name}” its own way — {difference}."


# ------------------------------------------------------------------ suppression
def point_size(point: Point, value_type: str) -> float | None:
    """The number of people/events a point is built from: the denominator of a proportion
    or rate, the value of a count; None where size does not apply."""
    if value_type in WITH_DENOMINATOR:
        return point.denominator
    if value_type == ValueType.COUNT:
        return point.value
    return None


def suppress_points(points: Iterable[Point], value_type: str,
                    threshold: int) -> tuple[list[Point], int]:
    """The points that may be shown (in order) and how many were hidden as too small."""
    shown: list[Point] = []
    hidden = 0
    for p in points:
        if is_suppressed(point_size(p, value_type), threshold):
            hidden += 1
        else:
            shown.append(p)
    return shown, hidden


@dataclass(frozen=True)
class PanelVerdict:
    """What one site's panel shows: its status, the words under it, the points it may
    draw (never a suppressed one) and how many were hidden."""

    status: PanelStatus
    explanation: str = ""
    points: tuple[Point, ...] = ()
    suppressed_points: int = 0

    @property
    def chartable(self) -> bool:
        """Whether the panel gets a run chart (it has points to draw)."""
        return bool(self.points)


def judge_panel(points: Sequence[Point], value_type: str, threshold: int) -> PanelVerdict:
    """Status of a comparable site's panel from its points, suppression applied.

    A count series with gaps where small counts were would give them away, so one
    hidden count hides the whole count panel."""
    if not points:
        return PanelVerdict(PanelStatus.NO_DATA, "No data recorded for this measure.")
    if value_type in WITH_DENOMINATOR and all(p.denominator is None for p in points):
        return PanelVerdict(PanelStatus.NO_DENOMINATORS, (
            "Values without denominators: sizes unknown, so the values cannot be "
            "compared or checked for small numbers."))
    shown, hidden = suppress_points(points, value_type, threshold)
    label = suppression_label(threshold)
    if not shown or (hidden and value_type == ValueType.COUNT):
        return PanelVerdict(PanelStatus.SUPPRESSED,
                            f"{label}: {hidden} of {len(points)} values are built from "
                            f"fewer than {threshold}, so this chart is not shown.",
                            suppressed_points=hidden)
    status, explanation = PanelStatus.OK, ""
    if len(shown) == 1:
        status = PanelStatus.ONE_POINT
        explanation = "Only one value so far: a run chart needs more points."
    if hidden:
        explanation = f"{hidden} value{'s' if hidden > 1 else ''} {label} left out."
    return PanelVerdict(status, explanation, tuple(shown), hidden)


# ------------------------------------------------------------------ signals
def latest_signal(signals: Iterable[Signal]) -> Signal | None:
    """The most recent improvement or concern signal (latest end, then latest start)."""
    judged = [s for s in signals if s.assessment in JUDGED]
    return max(judged, key=lambda s: (s.last, s.first)) if judged else None


class SignalAfter(StrEnum):
    """What a site's chart says after the first PDSA cycle of a change idea (matrix)."""

    YES = "yes"
    CONCERN = "no (concern)"
    NO = "no"
    SUPPRESSED = "suppressed"
    NO_DATA = "no data"
    NO_LINKED_MEASURE = "no linked measure"


#: When several linked measures disagree, the first verdict in this order is shown.
AFTER_PRECEDENCE = (SignalAfter.YES, SignalAfter.CONCERN, SignalAfter.NO,
                    SignalAfter.SUPPRESSED, SignalAfter.NO_DATA)


def signal_after(status: str | None, signals: Sequence[Signal] | None,
                 periods: Sequence[dt.date], start: dt.date | None) -> SignalAfter:
    """The verdict of one panel (`status` None: the site has no panel): the latest
    improvement or concern signal reaching past `start` decides, and only an improvement
    is a "yes".  A suppressed panel says so rather than hinting at its values."""
    if status is None:
        return SignalAfter.NO_DATA
    if status == PanelStatus.SUPPRESSED:
        return SignalAfter.SUPPRESSED
    if signals is None or start is None:
        return SignalAfter.NO_DATA
    latest = latest_signal(s for s in signals
                           if s.assessment in JUDGED and periods[s.last] >= start)
    if latest is None:
        return SignalAfter.NO
    return SignalAfter.YES if latest.assessment == Assessment.IMPROVEMENT else SignalAfter.CONCERN


def combine_after(verdicts: Collection[str]) -> SignalAfter:
    """One verdict for a cell from its linked measures' verdicts ("no linked measure"
    when there are none)."""
    if not verdicts:
        return SignalAfter.NO_LINKED_MEASURE
    return next((v for v in AFTER_PRECEDENCE if v in verdicts), SignalAfter.NO_DATA)


# ------------------------------------------------------------------ ranking
class PanelSort(StrEnum):
    """The orders the small multiples offer."""

    NAME = "name"
    LATEST = "latest"
    SIGNAL = "signal"


class RankedPanel(Protocol):
    """What ranking needs to know of a panel."""

    @property
    def site_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def latest(self) -> float | None: ...
    @property
    def signal(self) -> str: ...


P = TypeVar("P", bound=RankedPanel)
_SIGNAL_RANK = {"improvement": 0, "concern": 1}


def panel_key(panel: RankedPanel, by: str = PanelSort.NAME) -> tuple[Any, ...]:
    """Sort key of a panel; the site id breaks ties, so the order is total and does not
    depend on the order sites were read in.  Unknown orders sort by name."""
    tail = (panel.name.lower(), panel.site_id)
    if by == PanelSort.LATEST:
        latest = panel.latest
        missing = latest is None or math.isnan(latest)
        return (missing, 0.0 if missing or latest is None else -latest, *tail)
    if by == PanelSort.SIGNAL:
        return (_SIGNAL_RANK.get(panel.signal, 2), panel.status != PanelStatus.OK, *tail)
    return tail


def rank_panels(panels: Iterable[P], by: str = PanelSort.NAME) -> list[P]:
    """Panels by name, by latest value (highest first, no value last) or by signal
    (improvements, then concerns, then the rest; charted panels before the others)."""
    return sorted(panels, key=lambda p: panel_key(p, by))


def bright_spot_key(assessment: str, measure: str, site: str) -> tuple[bool, str, str]:
    """Bright spots first, then concerns; within each by measure, then site."""
    return assessment != Assessment.IMPROVEMENT, measure, site.lower()


def lookback_start(since: dt.date, months_before: int) -> dt.date:
    """The first day of the "what did they do before the signal?" window."""
    return since - dt.timedelta(days=round(30.5 * months_before))


def matrix_row_key(local_to: str, title: str) -> tuple[bool, str]:
    """Network change ideas first, then sites' local ones; each by title."""
    return bool(local_to), title.lower()
