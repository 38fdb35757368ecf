"""Per-field merge of one shared record, as pure functions.

A record travels as a dict of field values plus `clocks` (field -> encoded HLC) and a
`deleted` flag with its own clock under the pseudo-field ``"deleted"``.  For each field the
value with the higher clock wins; an equal clock is the same edit seen twice (no-op).  That
makes the merge idempotent, commutative and associative, so bundles can arrive in any order
and more than once.

Each edit also records the clock of the value it replaced, under ``"~field"`` (its
*base*) — or, when it replaced the same device's own earlier edit, keeps that edit's base
(a device that edits twice has still seen nothing new from others).  A losing value is a
conflict only if the winning edit did not see it — it comes from another device and its
clock is newer than the winner's base — and it differs from the winner.  (A device always
saw its own earlier edits, so two stamps of one device are never concurrent.)  So an old copy arriving
late is simply superseded, while two people changing the same field offline both keep
their text: the loser is returned as a `Conflict` for a person to look at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Conflict:
    field: str
    kept_value: Any
    kept_clock: str
    lost_value: Any
    lost_clock: str


@dataclass
class MergeResult:
    values: dict[str, Any]
    clocks: dict[str, str]
    changed: set[str] = field(default_factory=set)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def hlc(self) -> str:
        stamps = [v for k, v in self.clocks.items() if not k.startswith("~")]
        return max(stamps) if stamps else ""


BASE = "~"


def base_key(name: str) -> str:
    return BASE + name


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def device_of(stamp: str) -> str:
    """The device part of an encoded clock stamp (wall-counter-device)."""
    return stamp.rsplit("-", 1)[-1]


def merge_fields(
    local_values: Mapping[str, Any],
    local_clocks: Mapping[str, str],
    remote_values: Mapping[str, Any],
    remote_clocks: Mapping[str, str],
    *,
    remote_decides_ties: bool = False,
) -> MergeResult:
    """Merge two versions of one record field by field (last writer by HLC wins).

    One stamp with two values is settled by the values' canonical text — or, with
    `remote_decides_ties`, by the remote side: a site takes the coordinator's digest as
    it is, so the hub's choice reaches everyone even when the hub never saw the other
    value."""
    values = dict(local_values)
    clocks = dict(local_clocks)
    result = MergeResult(values, clocks)
    for name, remote_clock in remote_clocks.items():
        if name.startswith(BASE):
            continue
        local_clock = clocks.get(name)
        remote_value = remote_values.get(name)
        remote_base = remote_clocks.get(base_key(name), "")
        if local_clock is None or remote_clock > local_clock:
            old = values.get(name)
            if local_clock is not None and old != remote_value and local_clock > remote_base \
                    and device_of(local_clock) != device_of(remote_clock):
                result.conflicts.append(Conflict(name, remote_value, remote_clock, old, local_clock))
            values[name] = remote_value
            clocks[name] = remote_clock
            if remote_base:
                clocks[base_key(name)] = remote_base
            else:
                clocks.pop(base_key(name), None)
            if local_clock is None or old != remote_value:
                result.changed.add(name)
        elif remote_clock == local_clock and values.get(name) != remote_value:
            # one stamp, two values: a sender told two receivers different things.  Every
            # workspace keeps the same one (by its canonical text) and the other as a
            # conflict, so the network still converges.
            mine = values.get(name)
            if remote_decides_ties or _canonical(remote_value) > _canonical(mine):
                values[name] = remote_value
                result.changed.add(name)
                result.conflicts.append(Conflict(name, remote_value, remote_clock, mine,
                                                 local_clock))
            else:
                result.conflicts.append(Conflict(name, mine, local_clock, remote_value,
                                                 remote_clock))
        elif remote_clock < local_clock:
            mine = values.get(name)
            if mine != remote_value and remote_clock > clocks.get(base_key(name), "") \
                    and device_of(local_clock) != device_of(remote_clock):
                result.conflicts.append(Conflict(name, mine, local_clock, remote_value, remote_clock))
    return result
