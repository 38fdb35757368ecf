"""Rules that join records of different kinds, applied to a site's bundle before anything
is written: a record stays inside its site's network, names student groups of that
network, and names an author of its own site (docs/exchange.md).

The single-writer rules (`authority_checks`) make sure a site changes only its own
records; these make sure its own records do not reach into another network held in the
same coordinator's file (a coordinator may run several networks) or speak for another
site's people.  The workspace's own operations refuse the same things when a person
types them (`store.operations.Transaction._check_groups`, `store.ops.discussion`,
`store.ops.spread`); a forged bundle — signed with a genuinely enrolled key — must not
get past the importer either.

Only distinct pairs are looked up (a 50,000-value bundle names a few measures and
groups), each from the bundle's own records or, failing that, from what is stored; a
reference to nothing is left to `authority_checks._check_references`.  A coordinator's
digest is not checked: it carries what the coordinator holds, and refusing it would stop
every site taking the network's news.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from ..core.model import KIND_LABELS
from ..store.schema import MODELS, GroupDimension, StudentGroup
from .authority_checks import _describe, _quote
from .reader import Bundle, _fail
from .records import field_values

#: kinds that name both a network and a site of it
_IN_SITES_NETWORK = ("aim", "fishbone", "driver_diagram", "measure", "meeting", "comment",
                     "progress_score", "milestone")
#: kind -> (its group fields, the field leading to its network, that field's kind)
_GROUPS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "observation": (("group_id",), "measure_id", "measure"),
    "site_enrolment": (("group_id",), "site_id", "site"),
    "aim": (("focus_group_id", "reference_group_id"), "network_id", "network"),
}
#: kinds whose author must be a member of the record's own site
_AUTHORED = ("comment", "coaching_feedback")


class _Lookup:
    """One field of a record, from the bundle when it carries the record, else stored."""

    def __init__(self, s: Any, by_kind: Mapping[str, list[dict[str, Any]]]) -> None:
        self.s = s
        self.by_kind = by_kind
        self._bundle: dict[str, dict[str, dict[str, Any]]] = {}
        self._cache: dict[tuple[str, str, str], Any] = {}

    def field(self, kind: str, record_id: Any, name: str) -> Any:
        if not isinstance(record_id, str) or not record_id:
            return None
        if kind == "network" and name == "id":
            return record_id
        carried = self._bundle.get(kind)
        if carried is None:
            carried = self._bundle[kind] = {v["id"]: v for v in self.by_kind.get(kind, ())}
        if record_id in carried:
            return carried[record_id].get(name)
        key = (kind, record_id, name)
        if key not in self._cache:
            model = MODELS[kind]
            self._cache[key] = self.s.execute(
                select(getattr(model, name)).where(model.id == record_id)).scalar()
        return self._cache[key]

    def network_of(self, kind: str, record_id: Any) -> Any:
        """The network a site, a measure, a change idea or a network id leads to."""
        return self.field(kind, record_id, "id" if kind == "network" else "network_id")

    def group_network(self, group_id: str) -> Any:
        dimension = self.field("student_group", group_id, "dimension_id")
        return self.field("group_dimension", dimension, "network_id")

    def group_name(self, group_id: str) -> str:
        name = self.field("student_group", group_id, "name")
        if name is None:  # stored only: one query for the words of a refusal
            name = self.s.execute(select(StudentGroup.name).join(
                GroupDimension, GroupDimension.id == StudentGroup.dimension_id).where(
                StudentGroup.id == group_id)).scalar()
        return _quote(name or "a student group")


def check_consistency(s: Any, b: Bundle, by_kind: Mapping[str, list[dict[str, Any]]],
                      signer_site: str | None) -> None:
    """Refuse a site's bundle whose records reach into another network or speak for
    another site's members; the message names the first such record."""
    if signer_site is None:
        return
    look = _Lookup(s, by_kind)
    for kind in _IN_SITES_NETWORK:
        for values in _live(by_kind.get(kind, ())):
            site, network = values.get("site_id"), values.get("network_id")
            if not site or not network:
                continue
            theirs = look.network_of("site", site)
            if theirs is not None and theirs != network:
                raise _fail(b.path, f"it puts {_describe(s, kind, values)} in another "
                            "network than its site's; a site's records stay in its own "
                            "network. Export again from the site's own workspace.")
    for values in _live(by_kind.get("comment", ())):
        chart = look.network_of("site", values.get("chart_site_id"))
        if chart is not None and chart != values.get("network_id"):
            raise _fail(b.path, f"it puts {_describe(s, 'comment', values)} on the chart of "
                        "a site of another network; a comment discusses its own network's "
                        "records.")
    for kind, (fields, via, via_kind) in _GROUPS.items():
        batch = by_kind.get(kind, ())
        if not any(_names_a_group(batch, f) for f in fields):
            continue  # no record of the kind names a group: each would be passed over
        for values in _live(batch):
            groups = [g for g in map(values.get, fields) if isinstance(g, str) and g]
            if not groups:
                continue
            network = look.network_of(via_kind, values.get(via))
            for group in groups:
                theirs = look.group_network(group)
                if network is not None and theirs is not None and theirs != network:
                    raise _fail(b.path, f"it files {_describe(s, kind, values)} under the "
                                f"student group '{look.group_name(group)}', which belongs to "
                                "another network; a value names one of its own network's "
                                "groups. Correct it on the sending computer, then export "
                                "again.")
    for values in _live(by_kind.get("change_adoption", ())):
        idea = look.network_of("change_idea", values.get("change_idea_id"))
        network = look.network_of("site", values.get("site_id"))
        if idea is not None and network is not None and idea != network:
            raise _fail(b.path, f"it records {_describe(s, 'change_adoption', values)} for a "
                        "change idea of another network; a site tracks the spread of its "
                        "own network's change ideas.")
    for kind in _AUTHORED:
        for values in _live(by_kind.get(kind, ())):
            author = values.get("author_id")
            home = look.field("member", author, "site_id") if author else None
            if home is not None and home != values.get("site_id"):
                label = KIND_LABELS.get(kind, kind).lower()
                raise _fail(b.path, f"it gives a {label} "
                            f"{_quote(look.field('member', author, 'name'))}, a member of "
                            "another site, as its author; a site writes only in its own "
                            "members' names.")


def _names_a_group(batch: Sequence[dict[str, Any]], field: str) -> bool:
    """Whether any record of `batch` names a group in `field` (a non-empty text), judged
    over the field's distinct values (one pass in C, not a Python step per record)."""
    return any(isinstance(g, str) and g for g in set(field_values(batch, field)))


def _live(batch: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    return (v for v in batch if not v.get("deleted"))
