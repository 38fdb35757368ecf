"""The next initiative, planned from this one or from a starter template (issue #22).

Minnesota's centres wanted a process "they could use with other initiatives": a network
that has chartered itself, named its members, defined its measures and drawn its theory
should not start the next aim from an empty file.  A plan here is the list of records a
new network starts with — its structure, never its data.  Copied: the charter's roles,
norms and cadence, the sites (with their parents) and members, the student groups,
measure definitions, fishbones with their problem and categories (not their causes:
the new problem has causes of its own), and each driver diagram with its nodes, links, change ideas and
node measures as a template (every node back to "hypothesis": the new initiative has
tested nothing yet).  Never copied: values, PDSA cycles, meetings, aims with baselines,
comments, scores, adoptions, milestones, enrolment, diagram snapshots — and no keys:
a site's key is enrolled in a network by the coordinator on purpose, not carried into a
new one silently.  The plan is pure data; `services.initiatives` writes it, each record
through the same validated operation as an edit, in one undo step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import entities


@dataclass(frozen=True)
class Ref:
    """A link to another record of the same plan (its `Planned.key`), resolved to that
    record's new id when the plan is written."""

    key: str


@dataclass(frozen=True)
class Planned:
    """One record of the new network: its kind, a key unique in the plan, and its field
    values (references to other planned records as `Ref`)."""

    kind: str
    key: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class InitiativePlan:
    """What a new initiative starts with: its records in an order that creates every
    record after the ones it names, where they come from, and what stays behind."""

    name: str
    source: str  # "Minnesota NIC" or "the starter template “Chronic absenteeism”"
    records: tuple[Planned, ...]
    left_out: tuple[str, ...] = ()  # plain sentences: what is not copied, and why
    sources: tuple[str, ...] = field(default=())  # a template's literature, in full

    def summary(self) -> str:
        """"Next NIC from Great Lakes NIC: 1 charter, 10 sites, 16 members, …"."""
        counts = ", ".join(entities.counted(n, k) for k, n in self.counts().items()
                           if k != "network")
        return f"{self.name} from {self.source}: {counts or 'an empty network'}."

    def counts(self) -> dict[str, int]:
        """Records by kind, in the plan's order (what a preview lists)."""
        out: dict[str, int] = {}
        for r in self.records:
            out[r.kind] = out.get(r.kind, 0) + 1
        return out


# ------------------------------------------------------------------ from a network
#: kinds a new initiative copies, in creation order
COPIED_KINDS = ("network", "charter", "site", "member", "group_dimension", "student_group",
                "measure", "fishbone", "fishbone_category", "driver_diagram", "driver_node",
                "driver_link", "change_idea", "node_measure")
#: fields copied per kind (others keep their defaults); references are remapped
_COPIED_FIELDS: dict[str, tuple[str, ...]] = {
    "network": ("description", "suppression_threshold", "rule_set"),
    "charter": ("network_id", "roles", "norms", "cadence"),
    "site": ("network_id", "parent_id", "name", "kind", "context_tags"),
    "member": ("site_id", "name", "role", "responsibilities", "email"),
    "group_dimension": ("network_id", "name", "description", "position"),
    "student_group": ("dimension_id", "name", "position"),
    "measure": ("network_id", "site_id", "name", "kind", "definition", "unit", "data_source",
                "frequency", "direction", "target", "value_type", "chart_kind"),
    "fishbone": ("network_id", "site_id", "title", "problem"),
    "fishbone_category": ("fishbone_id", "name", "position"),
    "driver_diagram": ("network_id", "site_id", "name", "adopted_from_id", "order_pinned"),
    "driver_node": ("diagram_id", "level", "text", "description", "position",
                    "source_node_id"),
    "driver_link": ("diagram_id", "parent_node_id", "child_node_id"),
    "change_idea": ("network_id", "node_id", "title", "description"),
    "node_measure": ("node_id", "measure_id"),
}
#: references that may point outside what is copied: left empty then, never dangling
_OPTIONAL_REFS = frozenset({("driver_diagram", "adopted_from_id"),
                            ("driver_node", "source_node_id"), ("site", "parent_id"),
                            ("change_idea", "node_id")})

#: a site's diagram adopted from the network's names it (and its nodes theirs)
_ADOPTED = {"driver_diagram": "adopted_from_id", "driver_node": "source_node_id"}

LEFT_OUT = (
    "No values, PDSA cycles, meetings, comments, coaching feedback, progress scores, "
    "adoptions, milestones or enrolment figures: the new initiative starts its own.",
    "No aims: the new initiative states its own aim, baseline and target.",
    "Fishbones keep their title, problem statement and categories, not their causes: "
    "restate the problem for the new initiative; it has causes of its own.",
    "Driver-diagram nodes start again as hypotheses; diagram snapshots stay behind.",
    "No keys: enrol each site's key in the new network (Network → Enrol a Site's Key…), "
    "so no computer can sign for it without the coordinator's say.",
    "Members come with their roles and e-mail addresses (still private to this "
    "computer), but start with the new charter's norms not yet accepted.",
    "The network's description and each site's context come as they are: edit them for "
    "the new initiative.",
)


def plan_from_network(name: str, network: Mapping[str, Any],
                      records: Mapping[str, Sequence[Mapping[str, Any]]], *,
                      today: dt.date | None = None) -> InitiativePlan:
    """A new network called `name` with the structure of `network` (its record) and
    `records` (kind -> that network's live records as plain dicts with their ids; other
    kinds are ignored).  References to records not copied are left empty."""
    planned: list[Planned] = [Planned("network", network["id"], {
        "name": name, **_pick("network", network), "created": today or dt.date.today()})]
    keep = {network["id"]}
    for kind in COPIED_KINDS[1:]:
        rows = list(records.get(kind, ()))
        if kind == "site":  # parents before their children
            rows = _parents_first(rows)
        elif kind in _ADOPTED:  # a network's diagram (and nodes) before the sites' copies
            rows.sort(key=lambda r: bool(r.get(_ADOPTED[kind])))
        for row in rows:
            values = _pick(kind, row)
            if kind == "driver_node":
                values["status"] = "hypothesis"
            if kind == "member":
                values["norms_accepted"] = False
            remapped = _remap(kind, values, keep)
            if remapped is None:  # names a record that is not copied (a removed site's)
                continue
            keep.add(row["id"])
            planned.append(Planned(kind, row["id"], remapped))
    return InitiativePlan(name=name, source=str(network.get("name") or "the network"),
                          records=tuple(planned), left_out=LEFT_OUT)


def _pick(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {f: row[f] for f in _COPIED_FIELDS[kind] if f in row}


def _remap(kind: str, values: dict[str, Any], keep: set[str]) -> dict[str, Any] | None:
    """References as `Ref`s to planned records; None when a required one is not planned."""
    out = dict(values)
    for name, value in values.items():
        f = entities.field_of(kind, name)
        if f.type != entities.REF or value is None or value == "":
            continue
        if value in keep:
            out[name] = Ref(value)
        elif (kind, name) in _OPTIONAL_REFS:
            out[name] = None
        else:
            return None
    return out


def _parents_first(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Sites ordered so that each comes after its parent (a cycle, which the store never
    holds, would keep its remaining sites in their given order)."""
    rest = list(rows)
    done: set[str] = set()
    out: list[Mapping[str, Any]] = []
    ids = {r["id"] for r in rest}
    while rest:
        ready = [r for r in rest if not r.get("parent_id") or r["parent_id"] in done
                 or r["parent_id"] not in ids]
        if not ready:
            ready = rest[:1]
        for r in ready:
            out.append(r)
            done.add(r["id"])
        rest = [r for r in rest if r["id"] not in done]
    return out


# ------------------------------------------------------------------ from a template
def plan_from_template(name: str, template: Mapping[str, Any], *,
                       today: dt.date | None = None) -> InitiativePlan:
    """A new network called `name` from a starter template (`nicdesk.templates`): its
    aim and charter, its measures, a fishbone with the template's categories, and its
    driver diagram (aim → primary → secondary drivers → change ideas, each change idea
    also a change idea record, measures attached to their drivers).  No sites: the
    coordinator adds the network's own."""
    out: list[Planned] = []
    net = "network"
    out.append(Planned("network", net, {
        "name": name, "common_aim": template.get("common_aim", ""),
        "description": template.get("description", ""), "created": today or dt.date.today()}))
    charter = template.get("charter") or {}
    out.append(Planned("charter", "charter", {
        "network_id": Ref(net), **{k: charter.get(k, "") for k in ("roles", "norms", "cadence")}}))
    for m in template.get("measures", ()):
        out.append(Planned("measure", f"measure:{m['key']}", {
            "network_id": Ref(net), **{k: v for k, v in m.items() if k != "key"}}))
    fishbone = template.get("fishbone")
    if fishbone:
        out.append(Planned("fishbone", "fishbone", {
            "network_id": Ref(net), "title": fishbone.get("title", ""),
            "problem": fishbone.get("problem", "")}))
        for i, category in enumerate(fishbone.get("categories", ())):
            out.append(Planned("fishbone_category", f"category:{i}", {
                "fishbone_id": Ref("fishbone"), "name": category, "position": i}))
    diagram = template.get("driver_diagram")
    if diagram:
        out.extend(_diagram_plan(net, diagram))
    sources = tuple(s["citation"] for s in template.get("sources", ()))
    label = template.get("name", "")
    return InitiativePlan(name=name, source=f"the starter template “{label}”",
                          records=tuple(out), sources=sources,
                          left_out=("No sites or members: add your network's own "
                                    "(Network → Add Site…).",
                                    "No aim with numbers: the common aim's [brackets] are "
                                    "for your baseline and target."))


def _diagram_plan(net: str, diagram: Mapping[str, Any]) -> list[Planned]:
    out: list[Planned] = [Planned("driver_diagram", "diagram", {
        "network_id": Ref(net), "name": diagram.get("name", "")})]
    counter = iter(range(1_000_000))

    def node(level: str, spec: Mapping[str, Any], position: int, parent: str | None
             ) -> str:
        key = f"node:{next(counter)}"
        out.append(Planned("driver_node", key, {
            "diagram_id": Ref("diagram"), "level": level, "text": spec.get("text", ""),
            "description": spec.get("description", ""), "position": position,
            "status": "hypothesis"}))
        if parent is not None:
            out.append(Planned("driver_link", f"link:{key}", {
                "diagram_id": Ref("diagram"), "parent_node_id": Ref(parent),
                "child_node_id": Ref(key)}))
        for measure in spec.get("measures", ()):
            out.append(Planned("node_measure", f"{key}:measure:{measure}", {
                "node_id": Ref(key), "measure_id": Ref(f"measure:{measure}")}))
        return key

    aim = node("aim", {"text": diagram.get("aim", "")}, 0, None)
    for i, primary in enumerate(diagram.get("primary", ())):
        p = node("primary", primary, i, aim)
        for j, secondary in enumerate(primary.get("secondary", ())):
            s = node("secondary", secondary, j, p)
            for k, idea in enumerate(secondary.get("change_ideas", ())):
                c = node("change idea", idea, k, s)
                out.append(Planned("change_idea", f"idea:{c}", {
                    "network_id": Ref(net), "node_id": Ref(c), "title": idea.get("text", ""),
                    "description": idea.get("description", "")}))
    return out


def plan_problems(plan: InitiativePlan) -> list[str]:
    """What would stop the plan being written, in a person's words (a reference to a
    record the plan does not hold, a key used twice, a value the record refuses); empty
    when every record is sound.  The store checks again as it writes."""
    seen: set[str] = set()
    out: list[str] = []
    for r in plan.records:
        if r.key in seen:
            out.append(f"The plan holds “{r.key}” twice.")
        seen.add(r.key)
        values: dict[str, Any] = {}
        for name, value in r.values.items():
            if isinstance(value, Ref):
                if value.key not in seen:
                    out.append(f"{entities.kind_labels().get(r.kind, r.kind)} “{r.key}” "
                               f"names “{value.key}”, which the plan does not hold first.")
                value = "00000000-0000-0000-0000-000000000000"
            values[name] = value
        out.extend(f"{entities.kind_labels().get(r.kind, r.kind)} “{_title(r)}”: {p.message}"
                   for p in entities.problems(r.kind, values))
    return out


def _title(r: Planned) -> str:
    for name in ("name", "text", "title"):
        if r.values.get(name):
            return str(r.values[name])
    return r.key
