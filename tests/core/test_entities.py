"""The entity descriptions: every value in range passes, every value out of it is refused
with a message a person can act on — whether it comes from a form, an edit or a bundle."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdesk.core import entities, model
from nicdesk.core.entities import (
    ENTITIES,
    Field,
    coerce,
    decode,
    decode_record,
    observation_problems,
    problems,
)

ALL_FIELDS = [(k, f) for k, e in ENTITIES.items() for f in e.fields.values()]


def fields_of(*types: str) -> list[tuple[str, Field]]:
    return [(k, f) for k, f in ALL_FIELDS if f.type in types]


RANGED = [(k, f) for k, f in fields_of("int", "float")
          if f.minimum is not None or f.maximum is not None]
CHOICE = [(k, f) for k, f in ALL_FIELDS if f.choices]
FREE_TEXT = [(k, f) for k, f in fields_of("text") if not f.choices and not f.pattern]
# letters a person can type (no NUL, no half surrogates)
SAFE = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


def ids(pairs: list[tuple[str, Field]]) -> list[str]:
    return [f"{k}.{f.name}" for k, f in pairs]


def json_values(depth: int) -> st.SearchStrategy[Any]:
    """JSON with containers nested at most `depth` deep."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                        st.floats(allow_nan=False, allow_infinity=False),
                        st.text(SAFE, max_size=10))
    if depth == 0:
        return scalars
    inner = json_values(depth - 1)
    return st.one_of(scalars, st.lists(inner, max_size=3),
                     st.dictionaries(st.text(SAFE, max_size=5), inner, max_size=3))


def value_for(f: Field) -> st.SearchStrategy[Any]:
    """Any value the description allows for a field."""
    if f.type == "text":
        if f.choices:
            return st.sampled_from(f.choices)
        if f.pattern:
            shaped = st.from_regex(f"(?:{f.pattern})", fullmatch=True)
            return shaped if f.required else shaped | st.just("")
        text = st.text(SAFE, max_size=40) | st.just("é" * (f.max_length or 10))
        return text.filter(lambda t: t.strip()) if f.required else text
    if f.type == "ref":
        strategy = st.uuids().map(str)
        return strategy | st.none() if f.nullable else strategy
    if f.type == "int":
        return st.integers(int(f.minimum), int(f.maximum))  # type: ignore[arg-type]
    if f.type == "float":
        return st.none() | st.floats(f.minimum, f.maximum, allow_nan=False,
                                     allow_infinity=False)
    if f.type == "bool":
        return st.booleans()
    if f.type == "date":
        strategy = st.dates(entities.EARLIEST, entities.LATEST)
        return strategy if f.required else strategy | st.none()
    if f.type == "json-list":
        return st.lists(st.text(SAFE, max_size=30), max_size=6)
    if f.items:  # context tags: names to text or numbers
        return st.dictionaries(st.text(SAFE, max_size=20), st.text(SAFE, max_size=20)
                               | st.integers(-1000, 1000)
                               | st.floats(allow_nan=False, allow_infinity=False), max_size=5)
    return st.dictionaries(st.text(SAFE, max_size=8), json_values(JSON_INNER), max_size=4)


JSON_INNER = entities.JSON_DEPTH - 1  # the outer dict is the first level


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


# ------------------------------------------------------------------ the description itself
def test_every_kind_has_a_valid_owner_rule() -> None:
    for kind, e in ENTITIES.items():
        if e.owner in ("network", "self"):
            assert e.owner_field is None, kind
            continue
        f = e.fields[e.owner_field]  # type: ignore[index]
        assert f.type == "ref", kind
        if e.owner == "site_id":
            assert f.ref == "site", kind
        else:
            assert e.owner.startswith("parent:") and e.owner_kind == f.ref, kind
    assert ENTITIES["site"].owner == "self"
    assert {k for k, e in ENTITIES.items() if e.owner == "network"} == {
        "network", "charter", "group_dimension"}
    optional = {k for k, e in ENTITIES.items()
                if e.owner == "site_id" and e.fields["site_id"].nullable}
    assert optional == {"aim", "measure", "fishbone", "driver_diagram", "meeting",
                        "progress_score", "milestone"}


def test_model_names_still_work_and_come_from_the_description() -> None:
    assert model.PRIVATE_FIELDS == {"member": frozenset({"email"}),
                                    "site": frozenset({"private_notes"}),
                                    "pdsa_cycle": frozenset({"private_notes"})}
    assert set(model.KIND_LABELS) == set(ENTITIES)
    assert model.KIND_LABELS["pdsa_cycle"] == "PDSA cycle"
    assert model.choices("measure", "value_type") == model.VALUE_TYPES
    assert model.choices("site", "kind") == model.SITE_KINDS
    assert model.choices("site", "name") is None
    assert model.choices("no such kind", "x") is None
    assert model.validate("site", {"kind": "district"}, partial=True).ok


def test_required_fields_of_a_new_record() -> None:
    found = {p.field for p in problems("observation", {})}
    assert found == {"measure_id", "site_id", "period"}
    text = "; ".join(p.message for p in problems("member", {"site_id": "s", "name": "  "}))
    assert text == "A member needs a name."
    assert problems("action_item", {"meeting_id": "m", "text": ""})[0].message == \
        "An action item needs some text."
    assert problems("member", {"site_id": ""}, partial=True)[0].message == \
        "A member needs a site."


def test_unknown_fields_and_kinds_are_named() -> None:
    (p,) = problems("site", {"colour": "red", "id": "x", "deleted": False}, partial=True)
    assert p.message == "A site has no field colour."
    assert "Unknown kind" in problems("castle", {})[0].message
    with pytest.raises(ValueError, match="no field colour"):
        coerce("site", "colour", "red")


# ------------------------------------------------------------------ properties
@settings(max_examples=40, deadline=None)
@given(st.sampled_from(list(ENTITIES)), st.data())
def test_any_record_built_from_allowed_values_passes(kind: str, data: st.DataObject) -> None:
    values = {f.name: data.draw(value_for(f), label=f.name)
              for f in ENTITIES[kind].fields.values()}
    values = {k: v for k, v in values.items()
              if v is not None or ENTITIES[kind].fields[k].nullable}
    assert problems(kind, values) == []
    # and the same values, written as JSON in a bundle, decode to themselves
    for name, value in values.items():
        raw = value.isoformat() if isinstance(value, dt.date) else value
        assert decode(kind, name, raw) == value


@settings(max_examples=60)
@given(st.sampled_from(RANGED), st.data())
def test_numbers_in_range_pass_and_outside_fail(pair: tuple[str, Field],
                                                data: st.DataObject) -> None:
    kind, f = pair
    low, high = f.minimum, f.maximum
    if f.type == "int":
        inside = data.draw(st.integers(int(low), int(high)))  # type: ignore[arg-type]
        outside = data.draw(st.integers(max_value=int(low) - 1)  # type: ignore[arg-type]
                            | st.integers(min_value=int(high) + 1))  # type: ignore[arg-type]
    else:
        inside = data.draw(st.floats(low, high, allow_nan=False))
        outside = data.draw(st.floats(max_value=low, allow_nan=False, allow_infinity=False)
                            .filter(lambda x: x < low)  # type: ignore[operator]
                            | st.floats(min_value=high, allow_nan=False, allow_infinity=False)
                            .filter(lambda x: x > high))  # type: ignore[operator]
    assert problems(kind, {f.name: inside}, partial=True) == []
    (p,) = problems(kind, {f.name: outside}, partial=True)
    assert p.field == f.name and f.label in p.message and "must be" in p.message


@settings(max_examples=60)
@given(st.sampled_from(fields_of("float")),
       st.sampled_from([math.nan, math.inf, -math.inf]))
def test_nan_and_infinity_are_refused_everywhere(pair: tuple[str, Field], bad: float) -> None:
    kind, f = pair
    (p,) = problems(kind, {f.name: bad}, partial=True)
    assert "ordinary number" in p.message
    with pytest.raises(ValueError, match="ordinary number"):
        decode(kind, f.name, bad)
    # a form's "nan" becomes the number NaN, which the checks then refuse
    assert problems(kind, {f.name: coerce(kind, f.name, "nan")}, partial=True)


@settings(max_examples=60)
@given(st.sampled_from(fields_of("date")),
       st.dates(max_value=dt.date(1899, 12, 31)) | st.dates(min_value=dt.date(2101, 1, 1)))
def test_implausible_dates_are_refused(pair: tuple[str, Field], day: dt.date) -> None:
    kind, f = pair
    (p,) = problems(kind, {f.name: day}, partial=True)
    assert "between 1900 and 2100" in p.message
    with pytest.raises(ValueError, match="between 1900 and 2100"):
        decode(kind, f.name, day.isoformat())


@settings(max_examples=60)
@given(st.sampled_from(FREE_TEXT), st.integers(1, 50))
def test_too_long_texts_are_refused(pair: tuple[str, Field], extra: int) -> None:
    kind, f = pair
    assert f.max_length
    ok = "x" * f.max_length
    assert problems(kind, {f.name: ok}, partial=True) == []
    (p,) = problems(kind, {f.name: ok + "y" * extra}, partial=True)
    assert f"at most {f.max_length:,}" in p.message


def test_names_and_titles_are_one_line_lengths() -> None:
    assert ENTITIES["site"].fields["name"].max_length == 500
    assert ENTITIES["pdsa_cycle"].fields["title"].max_length == 500
    assert ENTITIES["pdsa_cycle"].fields["study_learned"].max_length == 100_000


@settings(max_examples=80)
@given(st.sampled_from(CHOICE), st.text(SAFE, max_size=30))
def test_every_choice_field_refuses_junk(pair: tuple[str, Field], junk: str) -> None:
    kind, f = pair
    if junk in f.choices or (f.required and not junk.strip()):  # type: ignore[operator]
        return  # allowed, or blank where a value is needed (its own message)
    (p,) = problems(kind, {f.name: junk}, partial=True)
    assert "choose one of" in p.message
    with pytest.raises(ValueError, match="choose one of"):
        decode(kind, f.name, junk)


def test_banana_is_not_a_value_type() -> None:
    (p,) = problems("measure", {"value_type": "banana"}, partial=True)
    assert p.message.startswith("'banana' is not a value type; choose one of: proportion")


@pytest.mark.parametrize(("kind", "name"), [(k, f.name) for k, f in fields_of("json-list",
                                                                               "json-dict")])
def test_json_fields_refuse_deep_nesting(kind: str, name: str) -> None:
    (p,) = problems(kind, {name: nested(9) if "list" in ENTITIES[kind].fields[name].type
                           else {"a": nested(8)}}, partial=True)
    assert "nested too deeply" in p.message


@settings(max_examples=40)
@given(json_values(JSON_INNER))
def test_snapshot_content_nested_up_to_eight_levels_passes(inner: Any) -> None:
    assert problems("diagram_snapshot", {"content": {"x": inner}}, partial=True) == []


@pytest.mark.parametrize(("kind", "name", "value", "phrase"), [
    ("site", "public_keys", "RWS…", "must be a list"),
    ("site", "public_keys", ["ok", 3], "must be text"),
    ("site", "context_tags", ["grade"], "set of named values"),
    ("site", "context_tags", {"grade": {"band": "K-5"}}, "text or a number"),
    ("site", "context_tags", {"enrolment": math.nan}, "not an ordinary number"),
    ("site", "context_tags", {"enrolment": True}, "text or a number"),
    ("meeting", "attendees", ["Ann", None], "must be text"),
    ("meeting", "attendees", ["x" * 501], "at most 500"),
    ("cause", "whys", {"1": "why"}, "must be a list"),
    ("diagram_snapshot", "content", [], "set of named values"),
    ("diagram_snapshot", "content", {"when": dt.date(2025, 1, 1)}, "cannot be stored"),
    ("meeting", "attendees", ["x" * 400] * 300, "too large"),
])
def test_json_fields_have_the_right_shape(kind: str, name: str, value: Any,
                                          phrase: str) -> None:
    (p,) = problems(kind, {name: value}, partial=True)
    assert phrase in p.message


def test_context_tags_take_text_and_numbers() -> None:
    tags = {"grade_band": "K-5", "enrolment": 420, "frl_share": 0.62}
    assert problems("site", {"context_tags": tags}, partial=True) == []


@pytest.mark.parametrize(("kind", "name", "value", "phrase"), [
    ("network", "suppression_threshold", 0, "between 1 and 1,000"),
    ("network", "suppression_threshold", True, "whole number"),
    ("agenda_item", "minutes", 1441, "between 0 and 1,440"),
    ("agenda_item", "minutes", -5, "between 0 and 1,440"),
    ("cause", "votes", -1, "between 0"),
    ("pdsa_cycle", "cycle_number", -1, "between 0"),
    ("fishbone_category", "position", -1, "between 0"),
    ("observation", "denominator", -3.0, "between 0"),
    ("observation", "numerator", "3", "must be a number"),
    ("observation", "value", 10**400, "ordinary number"),
    ("observation", "excluded", "yes", "yes or no"),
    ("aim", "deadline", "2026-06-30", "must be a date"),
    ("aim", "deadline", dt.datetime(2026, 6, 30), "must be a date"),
    ("meeting", "start_time", "25:00", "not a time of day"),
    ("site", "name", "Lincoln\x00", "NUL"),
    ("site", "name", "half \ud800", "broken character"),
    ("site", "name", 42, "must be text"),
    ("site", "network_id", "", "needs a network"),
    ("site", "parent_id", "", "blank"),
    ("site", "parent_id", "x" * 37, "at most 36"),
    ("site", "name", None, "needs a name"),
    ("site", "private_notes", None, "cannot be left empty"),
])
def test_bad_values_are_explained(kind: str, name: str, value: Any, phrase: str) -> None:
    (p,) = problems(kind, {name: value}, partial=True)
    assert phrase in p.message and p.field == name


# ------------------------------------------------------------------ observations
@settings(max_examples=100)
@given(st.floats(0, 1e6, allow_nan=False), st.floats(0, 1e6, allow_nan=False),
       st.sampled_from(model.VALUE_TYPES))
def test_numerator_cannot_exceed_denominator_of_a_proportion(num: float, den: float,
                                                             value_type: str) -> None:
    found = observation_problems({"numerator": num, "denominator": den}, value_type)
    if value_type == "proportion" and num > den:
        (p,) = found
        assert p.field == "numerator" and "cannot be larger than the denominator" in p.message
    else:
        assert found == []


def test_observation_rule_needs_both_numbers() -> None:
    assert observation_problems({"numerator": 5.0}, "proportion") == []
    assert observation_problems({"numerator": 5.0, "denominator": None}, "proportion") == []
    assert observation_problems({"numerator": 5, "denominator": 4}, None) == []


# ------------------------------------------------------------------ decode (bundles)
@pytest.mark.parametrize(("kind", "name", "raw", "phrase"), [
    ("agenda_item", "minutes", True, "whole number"),
    ("agenda_item", "minutes", 10.0, "whole number"),
    ("agenda_item", "minutes", "10", "whole number"),
    ("observation", "value", False, "must be a number"),
    ("observation", "value", "0.5", "must be a number"),
    ("observation", "value", 10**400, "far too large"),
    ("observation", "period", "2025-1-6", "written like 2026-09-01"),
    ("observation", "period", "20250106", "written like 2026-09-01"),
    ("observation", "period", "2025-02-30", "not a real date"),
    ("observation", "period", "9999-12-31", "between 1900 and 2100"),
    ("observation", "period", None, "needs a period"),
    ("observation", "period", 20250106, "written like 2026-09-01"),
    ("member", "norms_accepted", 1, "yes or no"),
    ("member", "name", ["Ann"], "must be text"),
    ("measure", "value_type", "banana", "choose one of"),
])
def test_decode_refuses_wrong_json(kind: str, name: str, raw: Any, phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase):
        decode(kind, name, raw)


def test_decode_converts_json_to_python() -> None:
    assert decode("observation", "period", "2025-01-06") == dt.date(2025, 1, 6)
    assert decode("observation", "value", 3) == 3.0
    assert isinstance(decode("observation", "value", 3), float)
    assert decode("observation", "value", None) is None
    assert decode("agenda_item", "minutes", 15) == 15
    assert decode("site", "name", "") == ""  # blank: for `problems` on a new record
    record = decode_record("observation", {"id": "o1", "period": "2025-01-06",
                                           "value": 1, "hlc": "x"})
    assert record == {"id": "o1", "period": dt.date(2025, 1, 6), "value": 1.0, "hlc": "x"}
    with pytest.raises(ValueError, match="^denominator: .*between 0"):
        decode_record("observation", {"denominator": -1})
    with pytest.raises(ValueError, match="no field"):
        decode("observation", "colour", "red")


# ------------------------------------------------------------------ coerce (forms, CLI)
@pytest.mark.parametrize(("kind", "name", "typed", "expected"), [
    ("aim", "deadline", "2026-06-30", dt.date(2026, 6, 30)),
    ("aim", "deadline", " 2026-06-30 ", dt.date(2026, 6, 30)),
    ("aim", "deadline", "", None),
    ("aim", "deadline", dt.datetime(2026, 6, 30, 9), dt.date(2026, 6, 30)),
    ("aim", "target_value", "", None),
    ("aim", "target_value", "0.8", 0.8),
    ("aim", "target_value", 1, 1.0),
    ("aim", "measure_id", "", None),
    ("agenda_item", "minutes", "15", 15),
    ("agenda_item", "minutes", 15.0, 15),
    ("member", "norms_accepted", "Yes", True),
    ("member", "norms_accepted", "off", False),
    ("member", "norms_accepted", 0, False),
    ("site", "context_tags", '{"grade_band": "K-5"}', {"grade_band": "K-5"}),
    ("site", "name", "Lincoln", "Lincoln"),
    ("site", "name", None, None),
])
def test_coerce_turns_typed_text_into_values(kind: str, name: str, typed: Any,
                                             expected: Any) -> None:
    assert coerce(kind, name, typed) == expected


@pytest.mark.parametrize(("kind", "name", "typed", "phrase"), [
    ("aim", "deadline", "next June", "a date like 2026-09-01 is needed"),
    ("aim", "target_value", "lots", "a number is needed"),
    ("aim", "target_value", True, "a number is needed"),
    ("agenda_item", "minutes", "", "a whole number is needed"),
    ("agenda_item", "minutes", 2.5, "a whole number is needed"),
    ("agenda_item", "minutes", math.inf, "a whole number is needed"),
    ("agenda_item", "minutes", True, "a whole number is needed"),
    ("member", "norms_accepted", "perhaps", "yes or no is needed"),
    ("site", "context_tags", "{grade", "a JSON object is needed"),
])
def test_coerce_explains_what_it_cannot_read(kind: str, name: str, typed: Any,
                                             phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase):
        coerce(kind, name, typed)
