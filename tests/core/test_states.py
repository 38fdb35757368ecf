"""The state enums of `nicdesk.core.states` cannot drift from what is stored.

Each enum is compared with the words NICdesk has always stored (written out here, so a
renamed member value fails even though the entity vocabularies are taken from the enums),
with the vocabulary the entity descriptions accept for its field, and with the column the
schema stores it in; bundle kinds with what the bundle reader and importer accept.
"""

from __future__ import annotations

import json
from enum import StrEnum

import pytest

from nicdesk.bundle import format as bundle_format
from nicdesk.core import entities, layout, model, pdsa
from nicdesk.core.states import (
    DRIVERS,
    IMPORTABLE_BUNDLE_KINDS,
    SUPPRESSED_BUNDLE_KINDS,
    WITH_DENOMINATOR,
    BundleKind,
    ChartKind,
    Direction,
    DriverLevel,
    Frequency,
    PdsaDecision,
    PdsaStage,
    PhaseKind,
    ValueType,
)
from nicdesk.store.schema import MODELS, BundleImport, table_of

# (enum, the stored words in their order, entity kind, field)
STORED = [
    (ValueType, ("proportion", "count", "rate", "continuous"), "measure", "value_type"),
    (Direction, ("up", "down", "neutral"), "measure", "direction"),
    (ChartKind, ("run", "p", "u", "c", "i", "pp", "up"), "measure", "chart_kind"),
    (Frequency, ("weekly", "monthly", "quarterly", "termly", "yearly"), "measure", "frequency"),
    (PhaseKind, ("baseline freeze", "rebase"), "chart_phase", "kind"),
    (DriverLevel, ("aim", "primary", "secondary", "change idea"), "driver_node", "level"),
    (PdsaDecision, ("", "adopt", "adapt", "abandon", "expand", "spread"), "pdsa_cycle",
     "decision"),
]
IDS = [enum.__name__ for enum, *_ in STORED]


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


@pytest.mark.parametrize(("enum", "words", "kind", "name"), STORED, ids=IDS)
def test_enum_is_the_stored_vocabulary(enum: type[StrEnum], words: tuple[str, ...],
                                       kind: str, name: str) -> None:
    assert values(enum) == words
    # what forms offer and validation, edits, CSV and bundle imports accept
    assert entities.choices(kind, name) == words
    assert model.choices(kind, name) == words
    # the vocabularies stay plain strings (forms, messages and JSON see no enum members)
    assert all(type(w) is str for w in entities.choices(kind, name) or ())


@pytest.mark.parametrize(("enum", "words", "kind", "name"), STORED, ids=IDS)
def test_every_member_is_accepted_and_fits_its_column(enum: type[StrEnum],
                                                      words: tuple[str, ...], kind: str,
                                                      name: str) -> None:
    length = table_of(MODELS[kind]).columns[name].type.length
    described = entities.ENTITIES[kind].fields[name].max_length
    for member in enum:
        assert member == member.value and str(member) == member.value
        assert json.dumps(member) == json.dumps(member.value)
        assert not entities.problems(kind, {name: member.value}, partial=True)
        assert len(member.value) <= min(length, described)
    assert entities.problems(kind, {name: "not a " + name}, partial=True)


def test_named_vocabularies_are_the_enums() -> None:
    assert entities.VALUE_TYPES == model.VALUE_TYPES == values(ValueType)
    assert entities.DIRECTIONS == model.DIRECTIONS == values(Direction)
    assert entities.CHART_KINDS == model.CHART_KINDS == values(ChartKind)
    assert entities.FREQUENCIES == model.FREQUENCIES == values(Frequency)
    assert entities.PHASE_KINDS == model.PHASE_KINDS == values(PhaseKind)
    assert entities.DRIVER_LEVELS == model.DRIVER_LEVELS == layout.LEVELS == values(DriverLevel)
    assert entities.PDSA_DECISIONS == model.PDSA_DECISIONS == values(PdsaDecision)
    assert set(WITH_DENOMINATOR) == {"proportion", "rate"}
    assert set(DRIVERS) == {"primary", "secondary"}


def test_pdsa_stages() -> None:
    assert values(PdsaStage) == pdsa.STAGES == ("planning", "doing", "studying", "done")
    assert all(type(s) is str for s in pdsa.STAGES)


def test_bundle_kinds_are_what_bundles_carry() -> None:
    assert values(BundleKind) == ("site", "digest", "invitation")
    # import_bundle merges site bundles and digests; an invitation is joined, not imported
    assert bundle_format.KINDS == IMPORTABLE_BUNDLE_KINDS
    assert set(IMPORTABLE_BUNDLE_KINDS) == {"site", "digest"}
    assert set(SUPPRESSED_BUNDLE_KINDS) == {"digest", "invitation"}
    # the manifest's kind is JSON text of at most 16 characters (reader) and is recorded
    # in bundle_import.kind
    column = table_of(BundleImport).columns["kind"].type.length
    for kind in BundleKind:
        assert json.loads(json.dumps({"kind": kind})) == {"kind": kind.value}
        assert len(kind) <= min(16, column)


def test_bundle_kinds_are_not_entity_kinds() -> None:
    """"site" is both a bundle kind and a record (entity) kind; the two vocabularies are
    kept apart: a digest or an invitation is no entity."""
    assert "digest" not in entities.ENTITIES and "invitation" not in entities.ENTITIES
    assert BundleKind.SITE in entities.ENTITIES  # same word, other vocabulary


def test_signal_words_come_from_the_enums() -> None:
    """Every signal the rules raise names its rule and meaning with the enums' words, so a
    screen or packet comparing with `SignalKind`/`Assessment` never misses one."""
    import datetime as dt

    from nicdesk.core.signals import RULE_SETS, Point, analyse_series
    from nicdesk.core.states import Assessment, SignalKind

    start = dt.date(2024, 1, 1)
    wave = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 90]
    flat = [5, 6] * 12
    seen_kinds, seen_assessments = set(), set()
    for values in (wave, flat, list(reversed(wave))):
        pts = [Point(start + dt.timedelta(weeks=i), float(v)) for i, v in enumerate(values)]
        for rule_set in RULE_SETS:
            for chart in ("run", "i"):
                for direction in ("up", "down"):
                    a = analyse_series(pts, chart_kind=chart, direction=direction,
                                       rule_set=rule_set)
                    seen_kinds |= {s.kind for s in a.signals}
                    seen_assessments |= {s.assessment for s in a.signals}
    assert seen_kinds and seen_kinds <= set(SignalKind)
    assert seen_assessments and seen_assessments <= set(Assessment)
    assert {Assessment.IMPROVEMENT, Assessment.CONCERN} <= seen_assessments


def test_funnel_flags_and_models_are_the_enums() -> None:
    from nicdesk.core.states import FunnelFlag, FunnelModel
    from nicdesk.core.variation import SiteRate, funnel

    rates = [SiteRate(f"s{i}", f"School {i}", e, 100)
             for i, e in enumerate([2, 40, 50, 55, 60, 98, 50, 45])]
    for kind in FunnelModel:
        f = funnel(rates, kind, 10)
        assert f.rows and {r.flag for r in f.rows} <= set(FunnelFlag)
        assert {r.flag for r in f.rows} & {FunnelFlag.ABOVE_998, FunnelFlag.BELOW_998}
