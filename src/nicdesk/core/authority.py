"""Single-writer authority: who may write which record, as plain rules.

Every shared record has exactly one owning site.  Network-level records (the network,
its charter, and aims, measures, fishbones, driver diagrams and meetings that name no
site) belong to the coordinator's site; a site's records belong to that site; parts of a
record (a cause of a fishbone, a question of a PDSA cycle…) belong to whoever owns the
whole.  A record is written only in its owner's workspaces — any enrolled device of that
site — so every edit can travel in the owner's signed bundle and nothing is stranded on
a laptop whose bundles may never carry it.

The site record is shared between two writers by field: its name and context belong to
the site; its keys, parent, network and kind to the coordinator (who enrols keys and
draws the network's shape), so a site can never promote itself or sign as another.

The rules bind as soon as a workspace takes part in an exchange (it holds a signing key
or trusts a coordinator key).  A standalone workspace — the sample, a school's own file
before it joins — stays fully editable so people can explore and learn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from .entities import in_sentence, kind_labels
from .states import Role

#: records that always belong to the network, hence to the coordinator's site
NETWORK_KINDS = frozenset({"network", "charter", "group_dimension"})
#: kinds that belong to the site they name, or to the network when they name none
OPTIONAL_SITE_KINDS = frozenset({"aim", "fishbone", "driver_diagram", "measure", "meeting",
                                 "progress_score", "milestone"})
#: kinds that always name the site they belong to
SITE_KINDS = frozenset({"member", "pdsa_ramp", "pdsa_cycle", "observation", "chart_phase",
                        "annotation", "site_enrolment", "comment", "coaching_feedback",
                        "change_adoption"})
#: parts of a larger record: kind -> (field naming the whole, kind of the whole)
PARENT: dict[str, tuple[str, str]] = {
    "fishbone_category": ("fishbone_id", "fishbone"),
    "cause": ("fishbone_id", "fishbone"),
    "cause_driver_link": ("cause_id", "cause"),
    "driver_node": ("diagram_id", "driver_diagram"),
    "driver_link": ("diagram_id", "driver_diagram"),
    "node_measure": ("node_id", "driver_node"),
    "diagram_snapshot": ("diagram_id", "driver_diagram"),
    "pdsa_question": ("cycle_id", "pdsa_cycle"),
    "pdsa_measure": ("cycle_id", "pdsa_cycle"),
    "agenda_item": ("meeting_id", "meeting"),
    "action_item": ("meeting_id", "meeting"),
    "student_group": ("dimension_id", "group_dimension"),
    # a change idea hangs on a driver-diagram node; without one it is the writer's own
    "change_idea": ("node_id", "driver_node"),
}
#: other "part of" links that must stay within one owner: kind -> [(field, kind of whole)]
#: (a PDSA cycle names its site, yet sits in a ramp: never in another site's ramp)
CONTAINED_IN: dict[str, tuple[tuple[str, str], ...]] = {
    "pdsa_cycle": (("ramp_id", "pdsa_ramp"),),
}
#: fields of a site record only the coordinator writes (removing a site included)
COORDINATOR_SITE_FIELDS = frozenset({"public_keys", "parent_id", "network_id", "kind",
                                     "deleted"})


def wholes(kind: str) -> tuple[tuple[str, str], ...]:
    """Every (field, kind of whole) a record of `kind` is part of."""
    return ((PARENT[kind],) if kind in PARENT else ()) + CONTAINED_IN.get(kind, ())

OwnerSource = tuple[Literal["site", "parent", "network", "self", "writer"], str | None, str]


def owner_source(kind: str, values: Mapping[str, object]) -> OwnerSource:
    """Where a record's owner comes from: ("site", site id, ""), ("parent", parent id,
    parent kind), ("network", network id, ""), ("self", None, "") for a site record, or
    ("writer", None, "") when the record is simply the writing site's own."""
    if kind == "site":
        return ("self", None, "")
    if kind in NETWORK_KINDS:
        network = values.get("id") if kind == "network" else values.get("network_id")
        return ("network", _str(network), "")
    if kind in SITE_KINDS or kind in OPTIONAL_SITE_KINDS:
        site = values.get("site_id")
        if site:
            return ("site", _str(site), "")
        if kind in OPTIONAL_SITE_KINDS:
            return ("network", _str(values.get("network_id")), "")
        return ("writer", None, "")
    if kind in PARENT:
        field, parent_kind = PARENT[kind]
        parent = values.get(field)
        if parent:
            return ("parent", _str(parent), parent_kind)
    return ("writer", None, "")


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def binds(meta: Mapping[str, str]) -> bool:
    """Do the rules apply in this workspace?  Only once it takes part in an exchange."""
    return bool(meta.get("signing_key") or meta.get("trusted_coordinator_key"))


def is_coordinator(meta: Mapping[str, str]) -> bool:
    return meta.get("role") == Role.COORDINATOR


def may_write(meta: Mapping[str, str], kind: str, owner: str | None,
              fields: frozenset[str] | set[str] = frozenset(), *, creating: bool = False
              ) -> Literal["yes", "owner", "coordinator"]:
    """May this workspace write these fields of a record owned by `owner`?
    "yes"; "owner" (the record is another site's); "coordinator" (only the coordinator
    writes these fields, or creates sites)."""
    if not binds(meta):
        return "yes"
    coordinator = is_coordinator(meta)
    if kind == "site":
        if creating or set(fields) & COORDINATOR_SITE_FIELDS:
            return "yes" if coordinator else "coordinator"
    if owner is None:  # a record nobody was given: the network's, so the coordinator's
        return "yes" if coordinator else "owner"
    return "yes" if owner == meta.get("local_site_id") else "owner"


def write_block(meta: Mapping[str, str], kind: str, owner: str | None,
                fields: frozenset[str] | set[str] = frozenset(), *, creating: bool = False,
                site_name: Callable[[str], str] = lambda _id: "another site") -> str | None:
    """Why this workspace may not write these fields of a record owned by `owner` (a
    sentence for a person), or None when it may (`may_write` in words).  `site_name`
    names the owning site.  One rule for the open workspace (`Operations.write_block`)
    and the shell's first look, so both show a record equally read-only."""
    verdict = may_write(meta, kind, owner, set(fields), creating=creating)
    if verdict == "yes":
        return None
    label = in_sentence(kind_labels().get(kind, kind))
    if verdict == "coordinator":
        if creating:
            return ("Only the network coordinator adds sites; ask the coordinator to "
                    "add this one.")
        return ("Only the network coordinator changes a site's keys, parent, network or "
                "kind; their changes reach you in the network digest.")
    if owner is None:
        return (f"This {label} belongs to the network; only the network coordinator "
                "changes it, and their changes reach you in the network digest.")
    name = site_name(owner)
    return (f"This {label} is owned by {name} — changes come from {name}'s bundles, so "
            "only they can change it here.")

