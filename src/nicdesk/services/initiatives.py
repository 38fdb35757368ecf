"""Start the next initiative: a new workspace file whose network has the structure of
this one, or of a starter template (issue #22 item 7; the rules of what is copied are in
`core.initiative`).

The new network goes into a file of its own — as `membership.create_network` makes one
per network — so the old network's file is only read, the new one starts standalone
(fully editable until its coordinator makes a key and enrols its sites), and nothing of
the old network's keys or exchange history comes along.  Every record is written by the
same validated operation as an edit, all in one undo step ("Start …"); if any is
refused, no file is left behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..core.errors import NicdeskError
from ..core.initiative import (
    COPIED_KINDS,
    InitiativePlan,
    Ref,
    plan_from_network,
    plan_from_template,
)
from ..store.schema import MODELS, Network, record_values
from ..store.workspace import Workspace, discard_new_file
from ..templates import starter_template

__all__ = ["initiative_from_network", "initiative_from_template", "start_initiative"]

#: how each copied kind hangs on the network: kind -> (field, kind it names)
_BELONGS: dict[str, tuple[str, str]] = {
    "charter": ("network_id", "network"),
    "site": ("network_id", "network"),
    "member": ("site_id", "site"),
    "group_dimension": ("network_id", "network"),
    "student_group": ("dimension_id", "group_dimension"),
    "measure": ("network_id", "network"),
    "fishbone": ("network_id", "network"),
    "fishbone_category": ("fishbone_id", "fishbone"),
    "driver_diagram": ("network_id", "network"),
    "driver_node": ("diagram_id", "driver_diagram"),
    "driver_link": ("diagram_id", "driver_diagram"),
    "change_idea": ("network_id", "network"),
    "node_measure": ("node_id", "driver_node"),
}


class InitiativeError(NicdeskError):
    title = "The new initiative was not started"


def initiative_from_network(ws: Workspace, network_id: str, name: str) -> InitiativePlan:
    """The plan for a new network called `name` with the structure of `network_id`
    (its live records only; nothing written)."""
    name = _name(name)
    with ws.read() as s:
        net = s.get(Network, network_id)
        if net is None or net.deleted:
            raise InitiativeError("That network is no longer in this workspace.")
        ids: dict[str, set[str]] = {"network": {network_id}}
        records: dict[str, list[dict[str, Any]]] = {}
        for kind in COPIED_KINDS[1:]:
            field, whole = _BELONGS[kind]
            model = MODELS[kind]
            rows = [record_values(r) for r in s.scalars(select(model).where(
                model.deleted.is_(False), getattr(model, field).in_(ids[whole])
            ).order_by(*_order(model)))]
            records[kind] = rows
            ids[kind] = {r["id"] for r in rows}
        network = record_values(net)
    return plan_from_network(name, network, records)


def _order(model: Any) -> list[Any]:
    columns = model.__table__.columns
    return [columns[c] for c in ("position", "name", "id") if c in columns]


def initiative_from_template(template_id: str, name: str = "") -> InitiativePlan:
    """The plan for a new network from a starter template (named after the template
    unless `name` is given)."""
    template = starter_template(template_id)
    return plan_from_template(_name(name or template.name), template.content)


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InitiativeError("Give the new initiative a name.")
    return name


def start_initiative(path: str | Path, plan: InitiativePlan) -> Workspace:
    """Write `plan` into a new workspace file at `path` and return it open (the GUI
    works on in it; the command line closes it).  Refused records leave no file."""
    path = Path(path)
    ws = Workspace.create(path)
    try:
        ids: dict[str, str] = {}
        with ws.ops.batch(f"Start {plan.name} from {plan.source}") as t:
            for record in plan.records:
                values = {k: (ids[v.key] if isinstance(v, Ref) else v)
                          for k, v in record.values.items()}
                ids[record.key] = t.create(record.kind, **values)
    except BaseException:
        discard_new_file(ws, path)
        raise
    return ws
