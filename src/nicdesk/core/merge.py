"""Per-field merge of one shared record, as pure functions.

A record travels as a dict of field values plus `clocks` (field -> encoded HLC) and a
`deleted` flag with its own clock under the pseudo-field ``"deleted"``.  For each field the
value with the higher clock wins; an equal clock is the same edit seen twice (no-op).  That
makes the merge idempotent, commutative and associative, so bundles can arrive in any order
and more than once.  A losing value that differs from the winner and came from another
device is returned as a `Conflict`, so the store can keep it for a person to look at:
long texts such as PDSA notes are never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .clock import Hlc


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
        return max(self.clocks.values()) if self.clocks else ""


def _device(stamp: str) -> str:
    return Hlc.decode(stamp).device


def merge_fields(
    local_values: Mapping[str, Any],
    local_clocks: Mapping[str, str],
    remote_values: Mapping[str, Any],
    remote_clocks: Mapping[str, str],
) -> MergeResult:
    """Merge two versions of one record field by field (last writer by HLC wins)."""
    values = dict(local_values)
    clocks = dict(local_clocks)
    result = MergeResult(values, clocks)
    for name, remote_clock in remote_clocks.items():
        local_clock = clocks.get(name)
        remote_value = remote_values.get(name)
        if local_clock is None or remote_clock > local_clock:
            old = values.get(name)
            if local_clock is not None and old != remote_value and _device(local_clock) != _device(
                remote_clock
            ):
                result.conflicts.append(Conflict(name, remote_value, remote_clock, old, local_clock))
            values[name] = remote_value
            clocks[name] = remote_clock
            if local_clock is None or old != remote_value:
                result.changed.add(name)
        elif remote_clock < local_clock:
            mine = values.get(name)
            if mine != remote_value and _device(local_clock) != _device(remote_clock):
                result.conflicts.append(Conflict(name, mine, local_clock, remote_value, remote_clock))
    return result
