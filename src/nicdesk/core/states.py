"""The states and vocabularies NICdesk compares in code, each defined once as a `StrEnum`.

A member compares equal to (and prints as) the plain string that is stored, so records,
bundle JSON and the database keep exactly the words they always had
(`ValueType.PROPORTION == "proportion"`).  The entity vocabularies of
`nicdesk.core.entities` (`VALUE_TYPES`, `DIRECTIONS`, `PDSA_DECISIONS`, ...) are taken from
these enums as plain strings, and tests/core/test_states.py checks that each enum and what
the entities accept cannot drift apart.

`BundleKind` names what a `.nicbundle` carries ("site", "digest", "invitation").  It is a
different vocabulary from the entity (record) kinds of `entities.ENTITIES` ("network",
"site", "measure", ...), even where a word is the same.

Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

from enum import StrEnum


class ValueType(StrEnum):
    """What a measure's values are (`entities.VALUE_TYPES`)."""

    PROPORTION = "proportion"
    COUNT = "count"
    RATE = "rate"
    CONTINUOUS = "continuous"


#: value types whose points carry numerators and denominators (funnel plots, p/u charts)
WITH_DENOMINATOR = (ValueType.PROPORTION, ValueType.RATE)


class Direction(StrEnum):
    """Which way is better for a measure (`entities.DIRECTIONS`).

    `NEUTRAL` is "no preferred direction" (a measure watched for change either way, e.g. a
    balancing measure of referrals): its signals are unusual, never an improvement or a
    concern, and there is no assurance judgement without a target."""

    UP = "up"
    DOWN = "down"
    NEUTRAL = "neutral"


class ChartKind(StrEnum):
    """The chart a measure is drawn as (`entities.CHART_KINDS`)."""

    RUN = "run"
    P = "p"
    U = "u"
    C = "c"
    I = "i"  # noqa: E741 — the control chart's own letter (individuals)
    # Laney's p′ and u′ charts (Laney 2002), stored as qicharts2 names them ("pp", "up")
    # so a coordinator can match the peer's chart argument word for word; shown with a
    # prime (`CHART_NAMES`).  "up" here is a chart, never a `Direction`.
    PP = "pp"
    UP = "up"


#: how each chart kind is named on screen, in the CLI and in packets: the capital letter
#: every output already printed ("P chart"), with qicharts2's prime for Laney's ("P′ chart")
CHART_NAMES: dict[str, str] = {
    ChartKind.RUN: "run chart", ChartKind.P: "P chart", ChartKind.U: "U chart",
    ChartKind.C: "C chart", ChartKind.I: "I chart", ChartKind.PP: "P′ chart",
    ChartKind.UP: "U′ chart",
}


class Frequency(StrEnum):
    """How often a measure is collected (`entities.FREQUENCIES`)."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    TERMLY = "termly"
    YEARLY = "yearly"


class PhaseKind(StrEnum):
    """A chart phase (`entities.PHASE_KINDS`)."""

    BASELINE_FREEZE = "baseline freeze"
    REBASE = "rebase"


class DriverLevel(StrEnum):
    """The level of a driver-diagram node (`entities.DRIVER_LEVELS`)."""

    AIM = "aim"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    CHANGE_IDEA = "change idea"


#: the levels that are drivers (between the aim and the change ideas)
DRIVERS = (DriverLevel.PRIMARY, DriverLevel.SECONDARY)


class PdsaDecision(StrEnum):
    """What a PDSA cycle decided (`entities.PDSA_DECISIONS`); empty while undecided."""

    UNDECIDED = ""
    ADOPT = "adopt"
    ADAPT = "adapt"
    ABANDON = "abandon"
    EXPAND = "expand"
    SPREAD = "spread"


class PdsaStage(StrEnum):
    """Where a PDSA cycle stands, judged from what has been written (`core.pdsa.stage`);
    never stored."""

    PLANNING = "planning"
    DOING = "doing"
    STUDYING = "studying"
    DONE = "done"


class BundleKind(StrEnum):
    """What a `.nicbundle` carries: the manifest's ``kind``."""

    SITE = "site"  # a site's own records
    DIGEST = "digest"  # every record, from the coordinator
    INVITATION = "invitation"  # what a new site joins with (never imported as records)


#: the kinds `import_bundle` merges
IMPORTABLE_BUNDLE_KINDS = (BundleKind.SITE, BundleKind.DIGEST)
#: the kinds that leave a site's machine suppressed (small counts hidden)
SUPPRESSED_BUNDLE_KINDS = (BundleKind.DIGEST, BundleKind.INVITATION)


class Assessment(StrEnum):
    """What a signal means for the measure: better, worse, or unusual with no preferred side."""

    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    UNUSUAL = "unusual"


class SignalKind(StrEnum):
    """The rule that found a signal (run-chart and control-chart rules)."""

    SHIFT = "shift"
    TREND = "trend"
    LONG_RUN = "long run"
    FEW_CROSSINGS = "few crossings"
    FEW_RUNS = "few runs"
    MANY_RUNS = "many runs"
    OUTSIDE_LIMITS = "outside limits"
    TWO_OF_THREE = "two of three"  # Making Data Count: 2 of 3 points beyond two sigma
    ASTRONOMICAL = "astronomical"  # IHI's fourth rule, as a person's mark on a point


class FunnelModel(StrEnum):
    """The sampling model of a funnel plot: proportions or rates."""

    BINOMIAL = "binomial"
    POISSON = "poisson"


class FunnelFlag(StrEnum):
    """Where a site sits against a funnel's limits."""

    WITHIN = "within"
    ABOVE_95 = "above 95 %"
    ABOVE_998 = "above 99.8 %"
    BELOW_95 = "below 95 %"
    BELOW_998 = "below 99.8 %"


class Role(StrEnum):
    """What a workspace is to its network (local meta ``role``)."""

    COORDINATOR = "coordinator"
    SITE = "site"
