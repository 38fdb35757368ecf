"""Single-writer authority and the rules a record cannot check alone, applied to a
bundle's records before anything is written (docs/exchange.md).

A digest (no signing site) may carry every record but never moves ownership; a site's
bundle may create, change or delete only records its site owns, before and after; its
own site record's coordinator fields, its parts' wholes, its links' diagrams and its
name are checked too.  Every check only reads; a failure is a `BundleError` naming the
first offending record in a person's words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from ..core.authority import (
    COORDINATOR_SITE_FIELDS,
    NETWORK_KINDS,
    OPTIONAL_SITE_KINDS,
    SITE_KINDS,
    wholes,
)
from ..core.entities import REF, entity, observation_problems
from ..core.model import KIND_LABELS
from ..core.safe_text import name_key
from ..core.states import ValueType
from ..store.bulk import stored_texts
from ..store.schema import MODELS, DriverLink, Observation, Site, table_of
from .format import ORDER
from .reader import Bundle, BundleError, _fail
from .records import field_values


def _quote(name: object, limit: int = 60) -> str:
    """A person's name for a one-line message: no control or bidi characters, short."""
    text_ = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                    for c in str(name or ""))
    text_ = " ".join(text_.split())
    return text_ if len(text_) <= limit else text_[:limit - 1] + "…"


def _describe(s: Any, kind: str, values: dict[str, Any]) -> str:
    """A record in a person's words: "'Eastside High School' observation 2025-09-01"."""
    label = KIND_LABELS.get(kind, kind).lower()
    when = values.get("period") or values.get("start") or values.get("date")
    site_id = values.get("site_id")
    if when and isinstance(site_id, str):
        site = s.get(Site, site_id)
        where = _quote(site.name) if site is not None else "another site"
        return f"'{where}' {label} {when}"
    for name in ("name", "title", "statement", "text", "question", "problem"):
        if isinstance(values.get(name), str) and values[name].strip():
            return f"the {label} '{_quote(values[name])}'"
    return f"a {label}"


def _owner_name(s: Any, owner: str | None) -> str:
    if owner is None:
        return "the network coordinator"
    site = s.get(Site, owner)
    return _quote(site.name) if site is not None else "another site"


def _stored(s: Any, kind: str, ids: list[str], columns: tuple[str, ...] = ()
            ) -> dict[str, tuple[Any, ...]]:
    """id -> (owner, *columns) of the rows already here, one indexed scan per 900 ids."""
    model = MODELS[kind]
    fast = stored_texts(s, table_of(model), ids, ("owner_site_id", *columns))
    if fast is not None:
        return fast
    cols = [model.id, model.owner_site_id, *(getattr(model, c) for c in columns)]
    out: dict[str, tuple[Any, ...]] = {}
    for i in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        for row in s.execute(select(*cols).where(model.id.in_(ids[i:i + 900]))):
            out[row[0]] = tuple(row[1:])
    return out


def _authorise(s: Any, b: Bundle, records: list[tuple[str, dict[str, Any]]],
               signer_site: str | None, signer_name: str, *,
               owners: Mapping[str, Mapping[str, str | None]] | None = None,
               by_kind: Mapping[str, list[dict[str, Any]]] | None = None) -> None:
    """Single-writer authority (docs/exchange.md), checked before anything is written.
    A digest (signer_site None) may carry every record but never moves ownership; a site
    bundle may create, change or delete only records its site owns, before and after.
    `owners` (kind -> id -> stored owner of the records already here, when the caller
    has read them) saves reading them again; each kind is first checked as a whole
    (`_kind_allowed`), and record by record — for the message — only when that fails."""
    by_kind = _grouped(records, by_kind)
    # owners of the wholes in the bundle (only kinds that are some record's whole)
    in_bundle = {(k, values["id"]): values.get("owner_site_id")
                 for k in _WHOLE_KINDS & by_kind.keys() for values in by_kind[k]}

    def refuse(why: str) -> BundleError:
        return _fail(b.path, why)

    for kind in ORDER:
        batch = by_kind.get(kind, [])
        if not batch:
            continue
        protected = tuple(sorted(COORDINATOR_SITE_FIELDS)) if kind == "site" else ()
        if owners is not None and kind != "site" and kind in owners:
            stored = {i: (owner,) for i, owner in owners[kind].items()}
            if _kind_allowed(s, kind, batch, stored, in_bundle, signer_site):
                continue
        else:
            stored = _stored(s, kind, [v["id"] for v in batch], protected)
        for values in batch:
            here = stored.get(values["id"])
            incoming = values.get("owner_site_id")
            if signer_site is None:  # the coordinator's digest
                if here is not None and here[0] is not None and incoming != here[0]:
                    raise refuse(f"it gives {_describe(s, kind, values)} to another owner; "
                                 "ownership never changes through a bundle.")
                continue
            verb = "deletes" if values.get("deleted") else ("edits" if here else "adds")
            what = _Described(s, kind, values)  # worded only when a refusal needs it
            if incoming != signer_site:
                raise refuse(f"it {verb} {what}, which {_owner_name(s, incoming)} owns; a "
                             f"bundle from {_quote(signer_name)} may change only its own "
                             "records.")
            if here is not None and here[0] != signer_site:
                raise refuse(f"it {verb} {what}, which {_owner_name(s, here[0])} owns; a "
                             f"bundle from {_quote(signer_name)} may change only its own "
                             "records.")
            if kind == "site":
                if here is None or values["id"] != signer_site:
                    raise refuse(f"it adds the site '{_quote(values.get('name'))}'; only the "
                                 "network coordinator adds sites.")
                _check_site_fields(s, b, values, here, signer_name)
                continue
            if kind in NETWORK_KINDS:
                raise refuse(f"it {verb} {what}, a network-level record; only the network "
                             "coordinator changes those.")
            if kind in SITE_KINDS or kind in OPTIONAL_SITE_KINDS:
                named = values.get("site_id")
                if named != signer_site:
                    whose = "the network" if named is None else _owner_name(s, named)
                    raise refuse(f"it {verb} {what} for {whose}; a bundle from "
                                 f"{_quote(signer_name)} may change only its own records.")
            for field_, parent_kind in wholes(kind):
                parent = values.get(field_)
                if parent:
                    owner = in_bundle.get((parent_kind, parent), _MISSING)
                    if owner is _MISSING:
                        got = _stored(s, parent_kind, [parent]).get(parent)
                        owner = got[0] if got else signer_site  # unknown: the FK check decides
                    if owner != signer_site:
                        raise refuse(f"it {verb} {what} inside a "
                                     f"{KIND_LABELS.get(parent_kind, parent_kind).lower()} "
                                     f"that {_owner_name(s, owner)} owns; a bundle from "
                                     f"{_quote(signer_name)} may change only its own "
                                     "records.")


_MISSING: Any = object()
_WHOLE_KINDS = frozenset(whole for kind in ORDER for _f, whole in wholes(kind))


def _kind_allowed(s: Any, kind: str, batch: list[dict[str, Any]],
                  stored: Mapping[str, tuple[Any, ...]],
                  in_bundle: Mapping[tuple[str, str], Any], signer_site: str | None) -> bool:
    """True when no record of `batch` can be refused by `_authorise`'s record-by-record
    checks (a kind other than "site"); False at any doubt (they then run, and word the
    refusal)."""
    if signer_site is None:  # a digest: no record moves to another owner
        return all(here[0] is None or v.get("owner_site_id") == here[0]
                   for v in batch if (here := stored.get(v["id"])) is not None)
    if kind in NETWORK_KINDS:
        return False
    if set(field_values(batch, "owner_site_id")) != {signer_site}:
        return False
    if any(here[0] != signer_site for here in stored.values()):
        return False
    if (kind in SITE_KINDS or kind in OPTIONAL_SITE_KINDS) and \
            set(field_values(batch, "site_id")) != {signer_site}:
        return False
    for field_, parent_kind in wholes(kind):
        parents: set[str] = set(filter(None, field_values(batch, field_)))
        for parent in parents:
            owner = in_bundle.get((parent_kind, parent), _MISSING)
            if owner is _MISSING:
                got = _stored(s, parent_kind, [parent]).get(parent)
                owner = got[0] if got else signer_site
            if owner != signer_site:
                return False
    return True


class _Described:
    """`_describe` on demand: the check runs for every record, the words only for the one
    that is refused."""

    def __init__(self, s: Any, kind: str, values: dict[str, Any]) -> None:
        self.args = (s, kind, values)

    def __str__(self) -> str:
        return _describe(*self.args)

    __format__ = lambda self, spec: format(str(self), spec)  # noqa: E731


def _check_site_fields(s: Any, b: Bundle, values: dict[str, Any], here: tuple[Any, ...],
                       signer_name: str) -> None:
    """A site's bundle never changes its own keys, parent, network, kind or removal —
    not by a value, and not by a clock either: a stamp newer than the one stored (or an
    equal stamp with another value) would outrank the coordinator's next change there."""
    del here  # the stored row is read whole below
    site = s.get(Site, values["id"])
    stored_clocks = dict(site.field_clocks or {})
    incoming = values["field_clocks"]
    for name in sorted(COORDINATOR_SITE_FIELDS):
        clock = incoming.get(name, "")
        base = incoming.get("~" + name, "")
        stored = stored_clocks.get(name, "")
        value = values.get(name, getattr(site, name))
        if clock > stored or (clock == stored and value != getattr(site, name)) \
                or base > stored:
            what = "removal" if name == "deleted" else name.replace("_", " ")
            raise _fail(b.path, f"it changes the {what} of {_quote(signer_name)}'s own site "
                        "record; only the network coordinator changes a site's keys, "
                        "parent, network, kind or removal.")
    new_name = values.get("name")
    if not isinstance(new_name, str) or new_name == site.name:
        return  # not renamed (every bundle carries its site's record): nothing to compare
    others = s.scalars(select(Site.name).where(Site.network_id == site.network_id,
                                               Site.id != site.id)).all()
    if name_key(new_name) in {name_key(o) for o in others}:
        raise _fail(b.path, f"it renames {_quote(signer_name)} to '{_quote(new_name)}', the name "
                    "of another site of the network; site names must stay distinct.")



def _check_links(s: Any, b: Bundle, records: list[tuple[str, dict[str, Any]]],
                 by_kind: Mapping[str, list[dict[str, Any]]] | None = None) -> None:
    """A driver-diagram link joins two nodes of its own diagram: a link in one site's
    diagram never rewires the network's (or another site's) theory."""
    by_kind = _grouped(records, by_kind)
    in_bundle = {v["id"]: v.get("diagram_id") for v in by_kind.get("driver_node", ())}
    for values in by_kind.get("driver_link", ()):
        if values.get("deleted"):
            continue
        for end in ("parent_node_id", "child_node_id"):
            node_id = values.get(end)
            diagram = in_bundle.get(node_id, _MISSING)
            if diagram is _MISSING:
                node = s.get(MODELS["driver_node"], node_id) if isinstance(node_id, str) \
                    else None
                diagram = node.diagram_id if node is not None else values.get("diagram_id")
            if diagram != values.get("diagram_id"):
                raise _fail(b.path, "it links driver-diagram nodes across diagrams; a link "
                            "joins two nodes of its own diagram.")
    # a node moved to another diagram takes its stored links along only if they move too
    # (a delta carries the node alone): every stored link of it must still join its ends
    # inside one diagram, as a whole bundle's would
    moved = {i: d for i, d in in_bundle.items() if isinstance(i, str)}
    stored = _stored(s, "driver_node", list(moved), ("diagram_id",))
    moved = {i: d for i, d in moved.items() if i in stored and stored[i][1] != d}
    if not moved:
        return
    carried = {v["id"] for v in by_kind.get("driver_link", ())}
    link = DriverLink
    ends = list(moved)
    for i in range(0, len(ends), 400):
        part = ends[i:i + 400]
        for row in s.execute(select(link.id, link.diagram_id).where(
                link.deleted.is_(False),
                link.parent_node_id.in_(part) | link.child_node_id.in_(part))):
            if row[0] not in carried:
                raise _fail(b.path, "it moves a driver-diagram node to another diagram but "
                            "leaves its links in the old one; a link joins two nodes of its "
                            "own diagram. Move the node's links (or delete them) first, then "
                            "export again.")


def _check_observations(s: Any, b: Bundle, records: list[tuple[str, dict[str, Any]]],
                        by_kind: Mapping[str, list[dict[str, Any]]] | None = None) -> None:
    """The rule a record cannot check alone: a proportion's numerator is never above its
    denominator (the measure — in the bundle or already here — says it is a proportion)."""
    by_kind = _grouped(records, by_kind)
    types = {v["id"]: v.get("value_type") for v in by_kind.get("measure", ())}
    kind = "observation"
    batch = by_kind.get(kind, ())
    for at, (num, den) in enumerate(zip(field_values(batch, "numerator"),
                                        field_values(batch, "denominator"), strict=True)):
        if num is None or den is None or (num.__class__ is float and
                                          den.__class__ is float and num <= den):
            continue  # certainly fine, whatever the measure (the rule words a refusal)
        values = batch[at]
        measure_id = values.get("measure_id")
        if measure_id not in types:
            measure = s.get(MODELS["measure"], measure_id) if isinstance(measure_id, str) \
                else None
            types[measure_id] = measure.value_type if measure is not None else None
        if types[measure_id] != ValueType.PROPORTION:
            continue
        wrong = observation_problems(values, types[measure_id])
        if wrong:
            raise _fail(b.path, f"{_describe(s, kind, values)} has a value that is not "
                        f"allowed ({wrong[0].message})")
    # a measure that becomes a proportion here (a delta carries the measure alone): the
    # values already stored under it must be possible proportions too, as in a whole bundle
    becoming = {i for i, t in types.items() if t == ValueType.PROPORTION and isinstance(i, str)}
    stored = _stored(s, "measure", sorted(becoming), ("value_type",))
    becoming = {i for i in becoming if i in stored and stored[i][1] != ValueType.PROPORTION}
    if not becoming:
        return
    carried = {v["id"] for v in by_kind.get("observation", ())}
    obs = Observation
    for row in s.execute(select(obs.id, obs.numerator, obs.denominator).where(
            obs.measure_id.in_(sorted(becoming)), obs.deleted.is_(False),
            obs.numerator > obs.denominator)):
        if row[0] in carried:
            continue  # checked above, with the bundle's values
        wrong = observation_problems({"numerator": row[1], "denominator": row[2]},
                                     ValueType.PROPORTION)
        if wrong:
            raise _fail(b.path, "it makes a measure a proportion although values stored "
                        f"under it are not possible proportions ({wrong[0].message}) Correct "
                        "those values, or keep the measure's type, then export again.")


def _check_references(s: Any, b: Bundle, records: list[tuple[str, dict[str, Any]]],
                      by_kind: Mapping[str, list[dict[str, Any]]] | None = None) -> None:
    """Every reference the database enforces points at a record in this bundle or already
    here — checked now, not only by the foreign keys at commit: bundles imported together
    share one transaction, and a later bundle of the batch must not supply what an
    earlier one lacked (importing them together must end as importing them in turn)."""
    by_kind = _grouped(records, by_kind)
    in_bundle = {kind: set(field_values(batch, "id")) for kind, batch in by_kind.items()}
    wanted: dict[str, set[str]] = {}
    for kind, batch in by_kind.items():  # one reference field of a kind at a time
        for name, target in _REFS.get(kind, ()):
            refs = set(field_values(batch, name))
            refs = {ref for ref in refs if ref.__class__ is str}  # each distinct once
            refs -= in_bundle.get(target, set())
            if refs:
                wanted.setdefault(target, set()).update(refs)
    for target, ids in wanted.items():
        found = _stored(s, target, sorted(ids))
        if len(found) != len(ids):
            if target in ("student_group", "group_dimension"):
                raise _fail(b.path, "its values name a student group this workspace does "
                            "not have. Student groups come from the network coordinator: "
                            "import the network's latest digest first; at the coordinator, "
                            "ask the site which group it meant.")
            raise _fail(b.path, "its records refer to records this workspace does not have "
                        "(import the bundles of the sites and network it depends on first).")


def _grouped(records: list[tuple[str, dict[str, Any]]],
             by_kind: Mapping[str, list[dict[str, Any]]] | None
             ) -> Mapping[str, list[dict[str, Any]]]:
    """`records` by kind: `by_kind` when the caller has them so already (the same
    records), else grouped here."""
    if by_kind is not None:
        return by_kind
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, values in records:
        out.setdefault(kind, []).append(values)
    return out


#: kind -> (field, kind it refers to) of each reference the database enforces
_REFS: dict[str, tuple[tuple[str, str], ...]] = {
    kind: tuple((f.name, f.ref) for f in entity(kind).fields.values()
                if f.type == REF and f.foreign_key and f.ref is not None)
    for kind in ORDER}
