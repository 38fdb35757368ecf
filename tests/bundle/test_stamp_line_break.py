"""A change clock that is two well-formed stamps joined by a line break is refused as the
line-by-line check refuses it (`core.clock.check_stamp`: not in NICdesk's format), also
when every other value of the file would take the fast column checks
(`records._Stamps.all_fine` joins a file's stamps with line breaks to match them all at
once: before issue #20's mend such a clock passed there as two stamps).  The
coordinator's file stays byte for byte as it was."""

from __future__ import annotations

from typing import Any

from .exchange_helpers import stamp
from .test_authority_attacks import World, attack
from .test_authority_attacks import world as world  # the attack world, built here too


def test_a_change_clock_holding_two_stamps_is_refused(world: World) -> None:
    early, late = stamp(world.device_a, 1000), stamp(world.device_a, 2000)

    def change(records: dict[str, list[dict[str, Any]]]) -> None:
        target = records["observation"][-1]
        field = next(k for k in target["field_clocks"] if not k.startswith("~"))
        target["field_clocks"][field] = f"{early}\n{late}"

    message = attack(world, change, expect=("is not in NICdesk's format",))
    assert "observations.jsonl line" in message, message
