"""Making workspaces, and finding what is in them by the names people type.

Creating a workspace was written twice (the command line's `nicdesk new`, the GUI's
File → New Workspace… and its first-run "Create my school's workspace"); it is written
once here.  The look-ups give plain values (`Named`), so the command line finds a
site, a measure or a network by name without touching the ORM.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import select

from ..paths import data_dir
from ..store.errors import NotFoundError
from ..store.schema import MODELS
from ..store.workspace import Workspace

_R = TypeVar("_R")

__all__ = ["Named", "choose_network", "create_school_workspace", "create_workspace", "find_named",
           "named_records", "school_workspace_path"]


def create_workspace(path: str | Path, network: str) -> Workspace:
    """A new workspace file holding one network of that name, returned open (the GUI
    keeps working in it; the command line closes it).  Creating the network is the
    workspace's first undo step, "Create network"."""
    ws = Workspace.create(path)
    try:
        ws.ops.create("network", name=network, label="Create network")
    except BaseException:
        ws.close()
        raise
    return ws


def school_workspace_path(school: str, folder: Path | None = None) -> Path:
    """Where `create_school_workspace` puts a school's file: named after the school, in
    `folder` (default: NICdesk's data folder), never over an existing file (so the person
    can be told before it is written)."""
    school = " ".join(school.split()) or "My school"
    stem = re.sub(r"[^\w\- ]+", "", school).strip() or "My school"
    folder = folder or data_dir()
    path = folder / f"{stem}.nicdesk"
    n = 2
    while path.exists():
        path = folder / f"{stem} ({n}).nicdesk"
        n += 1
    return path


def create_school_workspace(school: str, network: str = "",
                            folder: Path | None = None) -> Path:
    """A workspace holding one network and this school as the local site (the first-run
    choice "Create my school's workspace"), at `school_workspace_path`."""
    school = " ".join(school.split()) or "My school"
    path = school_workspace_path(school, folder)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    with Workspace.create(path) as ws:
        with ws.ops.batch("Create my school's workspace") as t:
            net = t.create("network", name=network.strip() or f"{school} improvement team")
            site = t.create("site", network_id=net, name=school, kind="school")
        ws.set_meta(local_site_id=site)
    return path


class Named(NamedTuple):
    """A record as a person names it: its id and its name (for a site-level measure, the
    site it belongs to; None for a network-level one or a kind without sites)."""

    id: str
    name: str
    site_id: str | None = None


def named_records(ws: Workspace, kind: str, *, network_level: bool = False,
                  include_deleted: bool = False) -> list[Named]:
    """Every record of a named kind ("site", "measure", "network"…), not deleted unless
    asked; with `network_level`, only those that belong to no site (network measures)."""
    model: Any = MODELS[kind]  # every named kind has a name; not every one a site
    query = select(model)
    if not include_deleted:
        query = query.where(model.deleted.is_(False))
    if network_level:
        query = query.where(model.site_id.is_(None))
    with ws.read() as s:
        return [Named(r.id, r.name, getattr(r, "site_id", None)) for r in s.scalars(query)]


def find_named(ws: Workspace, kind: str, name: str, what: str) -> Named:
    """The one record of `kind` whose name is `name` (case ignored), else the one whose
    name starts so; none or several is a `NotFoundError` naming the choices."""
    return pick_named(named_records(ws, kind), name, what, lambda r: r.name)


def choose_network(ws: Workspace, name: str | None, nothing: str) -> Named:
    """The network a command means: the one named (or whose name starts so), else the
    workspace's only one; none or several without a name is a `NotFoundError` saying
    what to type (`nothing`: what none means for this command, "nothing to review")."""
    nets = named_records(ws, "network")
    if name:
        return pick_named(nets, name, "network", lambda r: r.name)
    if len(nets) == 1:
        return nets[0]
    if not nets:
        raise NotFoundError(f"This workspace holds no network yet: {nothing}.")
    raise NotFoundError("This workspace holds several networks: name one with "
                        "--network (" + ", ".join(sorted(n.name for n in nets)) + ").")


def pick_named(rows: Sequence[_R], name: str, what: str, label: Callable[[_R], str]) -> _R:
    """The one of `rows` whose `label` is `name` (case ignored), else the one whose label
    starts so; none or several is a `NotFoundError` naming the choices (or saying there
    are none yet), for every command that finds a record by its name."""
    exact = [r for r in rows if label(r).lower() == name.lower()]
    matches = exact or [r for r in rows if label(r).lower().startswith(name.lower())]
    if len(matches) == 1:
        return matches[0]
    if not rows:
        raise NotFoundError(f"No {what} matches {name!r}: this workspace has none yet.")
    names = ", ".join(sorted(label(r) for r in (matches or rows)))
    if len(names) > 400:
        names = names[:399] + "…"
    raise NotFoundError(f"{'No' if not matches else 'More than one'} {what} matches "
                        f"{name!r}. Choose one of: {names}")
