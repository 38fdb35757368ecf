"""Every entity of DOMAIN.md goes into the store and comes back as it went in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, Date, Float, Integer

from nicdesk.core import model
from nicdesk.store.schema import MODELS, editable_fields


def sample_value(kind: str, name: str, column: Any, refs: dict[str, str]) -> Any:
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column.table.name
        return refs.get(target)
    allowed = model.choices(kind, name)
    if allowed:
        return allowed[-1]
    if (kind, name) == ("meeting", "start_time"):
        return "15:30"  # validated as HH:MM
    if (kind, name) == ("site_enrolment", "school_year"):
        return "2025-26"
    if (kind, name) == ("comment", "posted"):
        return "2026-11-26T15:30:00Z"
    if (kind, name) == ("comment", "subject_id"):
        return refs.get("sites")
    t = column.type
    if isinstance(t, Boolean):
        return True
    if isinstance(t, Integer):
        return 7
    if isinstance(t, Float):
        return 0.42
    if isinstance(t, Date):
        return dt.date(2026, 3, 1)
    if isinstance(t, JSON):
        return {"grade_band": "9-12"} if name in ("context_tags", "content") else ["a", "b"]
    return f"{kind} {name} ✓ ünïcode"


# creation order that satisfies every reference
ORDER = ["network", "site", "member", "charter", "group_dimension", "student_group",
         "site_enrolment", "measure", "aim", "fishbone",
         "fishbone_category", "cause", "driver_diagram", "driver_node", "driver_link",
         "cause_driver_link", "node_measure", "diagram_snapshot", "change_idea", "pdsa_ramp",
         "pdsa_cycle", "pdsa_question", "pdsa_measure", "observation", "chart_phase",
         "annotation", "meeting", "agenda_item", "action_item", "comment",
         "coaching_feedback", "progress_score", "change_adoption", "milestone"]


def test_order_covers_every_entity() -> None:
    assert sorted(ORDER) == sorted(MODELS)


def test_every_entity_round_trips(workspace, tmp_path) -> None:
    refs: dict[str, str] = {}
    written: dict[str, dict[str, Any]] = {}
    for kind in ORDER:
        cls = MODELS[kind]
        values = {}
        for name in editable_fields(kind):
            column = cls.__table__.columns[name]
            value = sample_value(kind, name, column, refs)
            if value is None and column.foreign_keys:
                continue
            values[name] = value
        if kind == "site":
            values.pop("parent_id", None)
        rid = workspace.ops.create(kind, **values).id
        if kind == "site":  # the site this workspace belongs to owns what has no site
            workspace.set_meta(local_site_id=rid)
        refs[cls.__tablename__] = rid
        written[kind] = {"id": rid, **values}
    # joining an exchange gives every record its one owner (network-level records: the
    # network's coordinator site, here the only top-level site)
    workspace.set_meta(signing_key="0123456789ABCDEF")
    path = workspace.target
    workspace.close()

    from nicdesk.store.workspace import Workspace

    with Workspace.open(path) as ws, ws.read() as s:
        for kind, values in written.items():
            rec = s.get(MODELS[kind], values["id"])
            assert rec is not None, kind
            for name, value in values.items():
                assert getattr(rec, name) == value, (kind, name)
            # sync metadata on every shared record
            assert rec.hlc and not rec.deleted
            assert set(rec.field_clocks) == {*editable_fields(kind), "deleted"}
            assert rec.owner_site_id, kind


def test_update_stamps_only_the_changed_field(workspace, network) -> None:
    site = workspace.ops.create("site", network_id=network, name="A").id
    with workspace.read() as s:
        before = dict(s.get(MODELS["site"], site).field_clocks)
    workspace.ops.update("site", site, name="B")
    with workspace.read() as s:
        rec = s.get(MODELS["site"], site)
        after = dict(rec.field_clocks)
    assert after["name"] > before["name"]
    # replacing this device's own value: nothing new seen from others, no base
    assert {k for k in after if after.get(k) != before.get(k)} == {"name"}
    assert rec.hlc == after["name"]
    from nicdesk.core.clock import HybridClock

    workspace.clock = HybridClock("otherlaptop", last=workspace.clock.last)
    workspace.ops.update("site", site, name="C")
    with workspace.read() as s:
        again = dict(s.get(MODELS["site"], site).field_clocks)
    assert {k for k in again if again.get(k) != after.get(k)} == {"name", "~name"}
    assert again["~name"] == after["name"]  # the edit remembers what it replaced


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_private_fields_are_real_columns(kind: str) -> None:
    for name in model.PRIVATE_FIELDS.get(kind, ()):
        assert name in editable_fields(kind)
